"""Cistern's pure rating engine: rate schedules as data, bills as explained lines.

No Django import, no clock, no I/O. Start at `engine.Rater` (or `rate_bill`),
`schedule.RateVersion` and `inputs.RatingAttributes`.
"""

from cistern.rates.domain.bill import Bill, BillLine
from cistern.rates.domain.engine import Rater, rate_bill
from cistern.rates.domain.inputs import BillingPeriod, RatingAttributes, RatingError
from cistern.rates.domain.rounding import RoundingRule, round_to_cents
from cistern.rates.domain.schedule import (
    Applicability,
    BudgetStartKind,
    BudgetTier,
    BudgetTieredCharge,
    Component,
    District,
    FixedCharge,
    MinimumCharge,
    RateVersion,
    SeasonBasis,
    SewerCap,
    SewerVolumetric,
    Tier,
    TieredCharge,
    VolumetricSurcharge,
)
from cistern.rates.domain.units import VolumeUnit, convert

__all__ = [
    "Applicability",
    "Bill",
    "BillLine",
    "BillingPeriod",
    "BudgetStartKind",
    "BudgetTier",
    "BudgetTieredCharge",
    "Component",
    "District",
    "FixedCharge",
    "MinimumCharge",
    "RateVersion",
    "Rater",
    "RatingAttributes",
    "RatingError",
    "RoundingRule",
    "SeasonBasis",
    "SewerCap",
    "SewerVolumetric",
    "Tier",
    "TieredCharge",
    "VolumeUnit",
    "VolumetricSurcharge",
    "convert",
    "rate_bill",
    "round_to_cents",
]
