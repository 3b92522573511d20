"""Estimated use when no read arrives, and the baseline that high/low checks compare with.

Both come from the account's history of billed periods (start, end, volume):
1. the same period last year (the period overlapping the same dates one year earlier),
   scaled by days — seasonal use is best predicted by last season;
2. otherwise the average use per day of the most recent ``RECENT_PERIODS`` periods;
3. otherwise nothing: the caller falls back to a class default or holds the account.

An estimate is marked on the bill and trued up by the next actual read: the next actual
read's consumption is measured from the last ACTUAL read, and what was billed on estimates
in between is subtracted (see ``true_up_volume``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

RECENT_PERIODS = 3


@dataclass(frozen=True, slots=True)
class UsagePeriod:
    start: date  # first day of use
    end: date  # read date closing the period
    volume: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def baseline_per_day(history: Sequence[UsagePeriod], *, start: date, end: date) -> Decimal | None:
    """Expected use per day for the period [start, end), or None without usable history."""
    last_year = _same_period_last_year(history, start=start, end=end)
    if last_year is not None and last_year.days > 0:
        return last_year.volume / last_year.days
    recent = [p for p in sorted(history, key=lambda p: p.end) if p.end <= start and p.days > 0]
    recent = recent[-RECENT_PERIODS:]
    if not recent:
        return None
    return sum((p.volume for p in recent), Decimal(0)) / sum(p.days for p in recent)


def estimate_volume(
    history: Sequence[UsagePeriod], *, start: date, end: date, whole_units: bool = True
) -> Decimal | None:
    """Estimated volume for [start, end); rounded half-up to whole units when asked."""
    per_day = baseline_per_day(history, start=start, end=end)
    if per_day is None:
        return None
    volume = per_day * (end - start).days
    if whole_units:
        return volume.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return volume


def true_up_volume(*, actual_since_last_actual: Decimal, estimated_since: Decimal) -> Decimal:
    """Volume to bill at the next actual read: actual use less what estimates already billed.

    Negative when estimates over-billed; the bill then carries a credit line for it.
    """
    return actual_since_last_actual - estimated_since


def _same_period_last_year(
    history: Sequence[UsagePeriod], *, start: date, end: date
) -> UsagePeriod | None:
    target_start = start - timedelta(days=365)
    target_end = end - timedelta(days=365)
    best: UsagePeriod | None = None
    best_overlap = 0
    for period in history:
        overlap = (min(period.end, target_end) - max(period.start, target_start)).days
        if overlap > best_overlap:
            best, best_overlap = period, overlap
    # Only a real match counts: most of the target period must be covered.
    if best is None or best_overlap * 2 < (target_end - target_start).days:
        return None
    return best
