"""The winter-average sewer cap.

Most homes do not irrigate in winter, so winter water use approximates what goes
down the drain. A district averages each account's use over its winter periods
(e.g. November to March, or December to February), rounds the average down to a
whole unit, and caps the residential sewer charge at it from the following July
for a year. This module only computes the average; the yearly recomputation is a
service's job and the result reaches the engine as `RatingAttributes.sewer_cap_ccf`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal

from cistern.rates.domain.inputs import BillingPeriod

WINTER_NOV_TO_MAR = frozenset({11, 12, 1, 2, 3})
WINTER_DEC_TO_FEB = frozenset({12, 1, 2})


def winter_average(
    usages: Iterable[tuple[BillingPeriod, Decimal]],
    months: frozenset[int] = WINTER_NOV_TO_MAR,
) -> Decimal | None:
    """Average usage over the winter periods, rounded down to a whole unit.

    A period is a winter period when its last service day falls in `months`.
    Returns None when there is no winter period (the caller applies the class
    default cap).
    """
    winter = [usage for period, usage in usages if period.last_day.month in months]
    if not winter:
        return None
    return (sum(winter, Decimal(0)) / len(winter)).to_integral_value(rounding=ROUND_FLOOR)
