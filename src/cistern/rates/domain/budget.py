"""Water-budget (allocation-based) rates, as adopted by many California districts.

indoor  = gpcd x household size x days / 748                          (CCF)
outdoor = landscape factor x ET (inches) x irrigated area (sq ft) x 0.62 / 748  (CCF)
budget  = indoor + outdoor + variance

0.62 converts inches over a square foot to gallons (1 in x 1 sq ft = 0.623 gal,
conventionally 0.62); 748 gallons make a CCF. The days are the service days
being rated; ET and the variance belong to the whole billing period and are
shared between parts of a split period by days (ET) or by the proration factor
(variance, stated per nominal period). Tier starts are 0, the indoor budget,
fractions of the budget (100%, 125%, 150%) or fixed CCF.
"""

from __future__ import annotations

from decimal import Decimal

from cistern.rates.domain.schedule import BudgetStartKind, BudgetTieredCharge
from cistern.rates.domain.units import GALLONS_PER_CCF

_ZERO = Decimal(0)
GALLONS_PER_INCH_SQFT = Decimal("0.62")


def indoor_budget_ccf(gpcd: Decimal, household_size: int, days: int) -> Decimal:
    """Indoor allocation in CCF for `days` of service."""
    return gpcd * household_size * days / GALLONS_PER_CCF


def outdoor_budget_ccf(
    landscape_factor: Decimal, et_inches: Decimal, irrigated_area_sqft: Decimal
) -> Decimal:
    """Outdoor allocation in CCF for the ET of the period."""
    gallons = landscape_factor * et_inches * irrigated_area_sqft * GALLONS_PER_INCH_SQFT
    return gallons / GALLONS_PER_CCF


def budget_starts(
    charge: BudgetTieredCharge,
    indoor: Decimal,
    budget: Decimal,
    numerator: int,
    denominator: int,
) -> list[Decimal]:
    """Lower bound of each budget tier, in CCF, for the given budgets and proration."""
    starts: list[Decimal] = []
    for tier in charge.tiers:
        kind = tier.start_kind
        if kind is BudgetStartKind.ZERO:
            starts.append(_ZERO)
        elif kind is BudgetStartKind.INDOOR:
            starts.append(indoor)
        elif kind is BudgetStartKind.BUDGET_FRACTION:
            starts.append(tier.value * budget)
        else:
            starts.append(tier.value * numerator / denominator)
    return starts
