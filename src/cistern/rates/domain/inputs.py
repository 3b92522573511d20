"""What the rating engine is given: an account's rating attributes and a period.

Billing periods are half-open: `start` is the first day of service and `end` is
the day after the last (normally the current read date, with the previous read
date as `start`). Consecutive periods therefore tile without overlap or gap, and
a period's length in days is `end - start`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from cistern.rates.domain.schedule import District

_ZERO = Decimal(0)


class RatingError(ValueError):
    """An account or period that the schedule cannot rate; nothing is billed."""


NO_VERSION_IN_EFFECT = "No rate version is in effect on {day}; add or backdate a version."
EMPTY_PERIOD = "The billing period {start} to {end} has no days; its end must follow its start."
NO_METER_PRICE = "Charge {code} has no amount for meter size {size!r}; add it to the schedule."
NO_STRENGTH_PRICE = (
    "Charge {code} has no price for strength class {strength!r}; set the account's strength class."
)
NO_TIER_PRICES = "Charge {code} has no out-of-district prices; add them or mark the account in."


@dataclass(frozen=True, slots=True)
class BillingPeriod:
    """Service days [start, end): `end` is exclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise RatingError(EMPTY_PERIOD.format(start=self.start, end=self.end))

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        """The last day of service (inclusive)."""
        return self.end - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class RatingAttributes:
    """Everything about an account that a schedule may price on (hashable).

    `et_inches` is the evapotranspiration of the account's zone over the whole
    billing period; `sewer_cap_ccf` is the account's winter-average sewer cap per
    nominal period, computed elsewhere (see `sewer.winter_average`);
    `variance_ccf` is the approved water-budget variance per nominal period.
    """

    customer_class: str
    meter_size: str = '5/8"'
    dwelling_units: int = 1
    household_size: int = 0
    irrigated_area_sqft: Decimal = _ZERO
    landscape_factor: Decimal | None = None
    et_inches: Decimal = _ZERO
    district: District = District.IN
    zone: str = ""
    sewer_cap_ccf: Decimal | None = None
    strength_class: str = ""
    variance_ccf: Decimal = _ZERO
    fire_meter_size: str | None = None
