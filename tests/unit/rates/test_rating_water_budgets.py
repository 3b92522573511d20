"""Water-budget tiers: indoor + outdoor allocation, tiers at fractions of the budget.

The cast: a household of 2 at 74.8 gallons per person per day over 30 days has an
indoor budget of 74.8 x 2 x 30 / 748 = 6 CCF. Its 748 sq ft of turf, landscape
factor 0.5 and 8 inches of ET give 0.5 x 8 x 748 x 0.62 / 748 = 2.48 CCF outdoor.
Budget 8.48 CCF: tiers start at 0, 6 (indoor), 8.48 (100%), 10.6 (125%), 12.72 (150%).
"""

from datetime import date
from decimal import Decimal

import pytest

from cistern.rates.domain import BudgetStartKind, BudgetTier, BudgetTieredCharge
from cistern.rates.domain.budget import indoor_budget_ccf, outdoor_budget_ccf
from tests.unit.rates.rating_cast import D, bill_for, days_from, home, version

PRICES = ("1.49", "1.70", "2.62", "4.38", "9.17")
STARTS = (
    (BudgetStartKind.ZERO, "0"),
    (BudgetStartKind.INDOOR, "0"),
    (BudgetStartKind.BUDGET_FRACTION, "1"),
    (BudgetStartKind.BUDGET_FRACTION, "1.25"),
    (BudgetStartKind.BUDGET_FRACTION, "1.5"),
)
RESIDENTIAL_BUDGET = BudgetTieredCharge(
    code="WATER",
    label="Water usage (budget)",
    gpcd=D("74.8"),
    landscape_factor=D("0.5"),
    tiers=tuple(
        BudgetTier(kind, D(price), D(value))
        for (kind, value), price in zip(STARTS, PRICES, strict=True)
    ),
)
HOUSEHOLD = home(household_size=2, irrigated_area_sqft=D(748), et_inches=D(8))


def test_indoor_and_outdoor_budgets_follow_the_published_formulas() -> None:
    assert indoor_budget_ccf(D("74.8"), 2, 30) == D(6)
    assert outdoor_budget_ccf(D("0.5"), D(8), D(748)) == D("2.48")
    assert indoor_budget_ccf(D(60), 4, 30) == D(7200) / D(748)


@pytest.mark.parametrize(
    ("usage", "lines"),
    [
        ("0", []),
        ("6", [894]),
        ("8.48", [894, 422]),  # 2.48 x 1.70 = 4.216
        ("10.6", [894, 422, 555]),  # 2.12 x 2.62 = 5.5544
        ("12.72", [894, 422, 555, 929]),  # 2.12 x 4.38 = 9.2856
        ("14", [894, 422, 555, 929, 1174]),  # 1.28 x 9.17 = 11.7376
    ],
)
def test_budget_tiers_start_at_indoor_and_fractions_of_the_budget(
    usage: str, lines: list[int]
) -> None:
    bill = bill_for(version(RESIDENTIAL_BUDGET), usage, account=HOUSEHOLD)
    assert [line.amount_cents for line in bill.lines] == lines


def test_a_budget_tier_line_shows_its_computed_bounds() -> None:
    third = bill_for(version(RESIDENTIAL_BUDGET), "14", account=HOUSEHOLD).lines[2]
    assert (third.tier, third.tier_from, third.tier_to) == (3, D("8.48"), D("10.600"))


def test_a_variance_adds_ccf_to_the_budget() -> None:
    # given a 2 CCF medical variance: budget 10.48, 125% = 13.1
    account = home(household_size=2, irrigated_area_sqft=D(748), et_inches=D(8), variance_ccf=D(2))
    bill = bill_for(version(RESIDENTIAL_BUDGET), "12", account=account)
    # then 6 @ 1.49, 4.48 @ 1.70 (7.616), 1.52 @ 2.62 (3.9824)
    assert [line.amount_cents for line in bill.lines] == [894, 762, 398]


def test_an_irrigation_meter_has_an_outdoor_budget_only() -> None:
    irrigation = BudgetTieredCharge(
        code="IRR",
        label="Irrigation (budget)",
        landscape_factor=D("0.5"),
        include_indoor=False,
        tiers=tuple(
            BudgetTier(kind, D(price), D(value))
            for (kind, value), price in zip([STARTS[0], *STARTS[2:]], PRICES[1:], strict=True)
        ),
    )
    bill = bill_for(version(irrigation), "3", account=HOUSEHOLD)
    assert [line.amount_cents for line in bill.lines] == [422, 136]  # 2.48 @ 1.70, 0.52 @ 2.62


def test_the_accounts_own_landscape_factor_replaces_the_schedules() -> None:
    account = home(
        household_size=2, irrigated_area_sqft=D(748), et_inches=D(8), landscape_factor=D(1)
    )
    bill = bill_for(version(RESIDENTIAL_BUDGET), "10.96", account=account)
    assert [line.tier for line in bill.lines] == [1, 2]  # budget 6 + 4.96


def test_fixed_ccf_budget_starts_prorate_with_the_period() -> None:
    charge = BudgetTieredCharge(
        code="WATER",
        label="Water",
        tiers=(
            BudgetTier(BudgetStartKind.ZERO, D(1)),
            BudgetTier(BudgetStartKind.UNITS, D(2), D(10)),
        ),
        include_indoor=False,
        include_outdoor=False,
    )
    assert bill_for(version(charge), Decimal(12)).total_cents == 1000 + 400


def test_a_short_period_has_a_smaller_indoor_budget() -> None:
    # given 15 days of service: indoor 74.8 x 2 x 15 / 748 = 3 CCF, outdoor from the period's ET
    bill = bill_for(
        version(RESIDENTIAL_BUDGET), "6", account=HOUSEHOLD, period=days_from(date(2025, 7, 1), 15)
    )
    # then tier 2 starts at 3 CCF and tier 3 at the 5.48 CCF budget
    assert [(line.tier, line.tier_from, line.quantity) for line in bill.lines] == [
        (1, D(0), D(3)),
        (2, D(3), D("2.48")),
        (3, D("5.48"), D("0.52")),
    ]
