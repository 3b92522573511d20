"""Splitting a billing period by rate version and season, and prorating by days.

Rules (see docs/decisions/rating-engine.md):

1. A period is split at every version's `effective_from` that falls inside it;
   each part is rated under the version in force on its first day.
2. The whole period's length D decides its proration under a version with
   nominal length N: a "normal" length (within the version's `normal_days`)
   counts as exactly one period, any other length as D / N periods. A part of d
   days gets its share d / D of that, i.e. the factor d / D (normal) or d / N.
   Factors are kept as a ratio of integers so an amount is computed as
   price x numerator / denominator, exact whenever the true result is.
3. Usage is split between parts in proportion to their days: u x d / D.
4. Fixed amounts, tier bounds, thresholds and caps are multiplied by the factor.
5. Seasonal components (months) take the days of each part that fall in their
   months, the same way (rule 2 and 3 applied to those days).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import NamedTuple

from cistern.rates.domain.inputs import NO_VERSION_IN_EFFECT, BillingPeriod, RatingError


class Part(NamedTuple):
    """Days [start, end) of a period under the version at `version_index`."""

    version_index: int
    start: date
    end: date
    days: int


def version_index_on(effective: Sequence[date], day: date) -> int:
    """Index of the version in force on `day`, given ascending effective dates."""
    found = -1
    for i, eff in enumerate(effective):
        if eff > day:
            break
        found = i
    if found < 0:
        raise RatingError(NO_VERSION_IN_EFFECT.format(day=day))
    return found


def split_period(period: BillingPeriod, effective: Sequence[date]) -> list[Part]:
    """Split `period` at each effective date inside it (dates ascending)."""
    index = version_index_on(effective, period.start)
    parts: list[Part] = []
    start = period.start
    for later in range(index + 1, len(effective)):
        change = effective[later]
        if change >= period.end:
            break
        if change > start:
            parts.append(Part(index, start, change, (change - start).days))
            start = change
        index = later
    parts.append(Part(index, start, period.end, (period.end - start).days))
    return parts


def factor_ratio(
    part_days: int, period_days: int, nominal_days: int, normal_days: tuple[int, int] | None
) -> tuple[int, int]:
    """Proration factor of a part as (numerator, denominator), reduced."""
    low, high = normal_days if normal_days is not None else (nominal_days, nominal_days)
    denominator = period_days if low <= period_days <= high else nominal_days
    return _reduce(part_days, denominator)


def _reduce(numerator: int, denominator: int) -> tuple[int, int]:
    a, b = numerator, denominator
    while b:
        a, b = b, a % b
    return (numerator // a, denominator // a) if a else (0, 1)


def days_in_months(start: date, end: date, months: frozenset[int]) -> int:
    """Number of days in [start, end) whose month is in `months`."""
    total = 0
    day = start
    while day < end:
        following = _first_of_next_month(day)
        stop = following if following < end else end
        if day.month in months:
            total += (stop - day).days
        day = stop
    return total


def _first_of_next_month(day: date) -> date:
    if day.month == 12:
        return date(day.year + 1, 1, 1)
    return date(day.year, day.month + 1, 1)


def last_service_day(end: date) -> date:
    return end - timedelta(days=1)
