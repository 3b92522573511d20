"""The 13-month usage chart: bars laid out for an inline SVG (pure: no Django, no clock).

The bill shows the use of each of the last 13 months (this period's month and the 12 before,
so the same month last year sits at the far left). A month with several bills adds them;
a month with none is an empty slot. The template draws the bars; this module only measures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

MONTHS = 13
WIDTH = 340.0
HEIGHT = 120.0
AXIS_BOTTOM = 18.0  # room for the month labels
TOP_MARGIN = 12.0  # room for the value above the tallest bar
GAP = 4.0


@dataclass(frozen=True)
class Bar:
    month: date  # first day of the month
    usage: Decimal
    x: float
    y: float
    width: float
    height: float
    current: bool  # this bill's month, drawn darker

    @property
    def label_x(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def value_y(self) -> float:
        return round(self.y - 2, 1)


@dataclass(frozen=True)
class UsageChart:
    bars: tuple[Bar, ...]
    width: float
    height: float
    baseline: float
    peak: Decimal

    @property
    def empty(self) -> bool:
        return self.peak == 0


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_back(end: date, count: int = MONTHS) -> list[date]:
    """The first days of ``count`` months ending with ``end``'s month, oldest first."""
    year, month = end.year, end.month
    result = []
    for _ in range(count):
        result.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(result))


def usage_by_month(bills: list[tuple[date, Decimal]]) -> dict[date, Decimal]:
    """Sum usage per month of the period's last day: ``[(period_end, usage), ...]``."""
    totals: dict[date, Decimal] = {}
    for period_end, usage in bills:
        key = month_start(period_end)
        totals[key] = totals.get(key, Decimal(0)) + Decimal(usage)
    return totals


def usage_chart(*, current_period_end: date, bills: list[tuple[date, Decimal]]) -> UsageChart:
    """Bars for the 13 months ending with the current bill's month."""
    months = months_back(current_period_end)
    totals = usage_by_month(bills)
    peak = max([totals.get(m, Decimal(0)) for m in months] + [Decimal(0)])
    baseline = HEIGHT - AXIS_BOTTOM
    usable = baseline - TOP_MARGIN
    slot = WIDTH / len(months)
    bars = []
    for index, month in enumerate(months):
        usage = max(totals.get(month, Decimal(0)), Decimal(0))
        height = float(usage / peak) * usable if peak > 0 else 0.0
        bars.append(
            Bar(
                month=month,
                usage=usage,
                x=round(index * slot + GAP / 2, 1),
                y=round(baseline - height, 1),
                width=round(slot - GAP, 1),
                height=round(height, 1),
                current=index == len(months) - 1,
            )
        )
    return UsageChart(tuple(bars), WIDTH, HEIGHT, baseline, peak)
