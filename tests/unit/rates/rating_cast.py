"""Shared cast for the rating-engine tests: a demo district's periods and helpers.

Hand-computed bills in the tests use these periods:
JULY is 30 service days (Jul 1 to Jul 30, end exclusive), the nominal length.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cistern.rates.domain import (
    Bill,
    BillingPeriod,
    Component,
    Rater,
    RateVersion,
    RatingAttributes,
    VolumeUnit,
)

D = Decimal
JULY = BillingPeriod(date(2025, 7, 1), date(2025, 7, 31))  # 30 days
SINGLE_FAMILY = "RESIDENTIAL_SINGLE"


def days_from(start: date, days: int) -> BillingPeriod:
    return BillingPeriod(start, date.fromordinal(start.toordinal() + days))


def home(**fields: object) -> RatingAttributes:
    """A single-family home on a 5/8-inch meter unless told otherwise."""
    values: dict[str, object] = {"customer_class": SINGLE_FAMILY}
    values.update(fields)
    return RatingAttributes(**values)  # type: ignore[arg-type]


def version(*components: Component, **fields: object) -> RateVersion:
    values: dict[str, object] = {
        "version_id": "2025-A",
        "effective_from": date(2025, 1, 1),
        "components": components,
    }
    values.update(fields)
    return RateVersion(**values)  # type: ignore[arg-type]


def bill_for(
    schedule: RateVersion | list[RateVersion],
    usage: str | Decimal | int,
    *,
    account: RatingAttributes | None = None,
    unit: VolumeUnit = VolumeUnit.CCF,
    period: BillingPeriod = JULY,
) -> Bill:
    versions = schedule if isinstance(schedule, list) else [schedule]
    return Rater(versions).rate(account or home(), D(usage), unit, period)


def cents_by_line(bill: Bill) -> list[tuple[str, int, int]]:
    """(code, tier, cents) of each line, in order."""
    return [(line.code, line.tier, line.amount_cents) for line in bill.lines]
