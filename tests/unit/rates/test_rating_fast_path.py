"""The engine's caches are exact: cached bills equal bills with every line computed.

`Rater` keeps whole bills by the attributes their components read, each
component's lines by that component's inputs, budget tier starts by slice and
budget inputs, and prorated tier tables by factor (see engine.py, compiled.py,
charges.py). These properties rate random accounts of every kind, usages and
periods (short, long, across a rate change, in and out of season) through one
cached `Rater` and compare each bill with a `Rater(cache=False)`, field by field
and in representation (`repr` shows each Decimal's exponent too).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cistern.rates.domain import (
    Applicability,
    BillingPeriod,
    BudgetStartKind,
    BudgetTier,
    BudgetTieredCharge,
    District,
    FixedCharge,
    MinimumCharge,
    Rater,
    RateVersion,
    RatingAttributes,
    RatingError,
    RoundingRule,
    SeasonBasis,
    SewerCap,
    SewerVolumetric,
    Tier,
    TieredCharge,
    VolumetricSurcharge,
    VolumeUnit,
)

D = Decimal
CCF = VolumeUnit.CCF
METERS = ['5/8"', '3/4"', '1"', '2"']
money = st.decimals(min_value=0, max_value=20, places=4)


def _only(*classes: str, months: frozenset[int] = frozenset()) -> Applicability:
    return Applicability(classes=frozenset(classes), months=months)


@st.composite
def schedules(draw: st.DrawFn) -> RateVersion:
    """A version with every kind of component, priced at random."""
    tiers = tuple(Tier(D(start), draw(money)) for start in (0, 6, 15, 30))
    summer = frozenset({5, 6, 7, 8, 9})
    return RateVersion(
        version_id="A",
        effective_from=date(2020, 1, 1),
        rounding=draw(st.sampled_from(list(RoundingRule))),
        nominal_days=draw(st.sampled_from([30, 60])),
        normal_days=draw(st.sampled_from([None, (28, 31), (56, 63)])),
        season_basis=draw(st.sampled_from(list(SeasonBasis))),
        components=(
            FixedCharge(
                code="SERVICE",
                label="Service",
                flat=draw(money),
                by_meter={size: draw(money) for size in METERS},
                dormant_meter_size='5/8"',
                installments=draw(st.sampled_from([1, 12])),
            ),
            FixedCharge(
                code="FIRE",
                label="Fire line",
                meter_attribute="fire_meter_size",
                by_meter={size: draw(money) for size in METERS},
            ),
            FixedCharge(
                code="UNITS", label="Per unit", per_dwelling_unit=draw(money), applies=_only("MFR")
            ),
            TieredCharge(
                code="WATER",
                label="Water",
                unit=draw(st.sampled_from(list(VolumeUnit))),
                tiers=tiers,
                starts_by_meter={'2"': (D(0), D(20), D(50), D(90))},
                scale_by_dwelling_units=draw(st.booleans()),
                whole_units=draw(st.booleans()),
                first_tier=draw(st.integers(1, 3)),
                out_of_district_prices=tuple(draw(money) for _ in tiers),
                applies=_only("RES", "MFR"),
            ),
            TieredCharge(
                code="PEAK",
                label="Summer",
                unit=CCF,
                tiers=tiers,
                applies=_only("RES", months=summer),
            ),
            BudgetTieredCharge(
                code="BUDGET",
                label="Budget",
                tiers=(
                    BudgetTier(BudgetStartKind.ZERO, draw(money)),
                    BudgetTier(BudgetStartKind.INDOOR, draw(money)),
                    BudgetTier(BudgetStartKind.BUDGET_FRACTION, draw(money), D("1.25")),
                    BudgetTier(BudgetStartKind.UNITS, draw(money), D(40)),
                ),
                applies=_only("BUDGET"),
            ),
            VolumetricSurcharge(
                code="STAGE",
                label="Shortage",
                unit=CCF,
                price=draw(money),
                threshold=draw(st.sampled_from([D(0), D(5)])),
            ),
            SewerVolumetric(
                code="SEWER",
                label="Sewer",
                unit=CCF,
                price=draw(money),
                return_factor=D("0.9"),
                cap_kind=SewerCap.WINTER_AVERAGE,
                cap=D(8),
                applies=_only("RES", "BUDGET"),
            ),
            SewerVolumetric(
                code="SEWER",
                label="Sewer",
                unit=VolumeUnit.KGAL,
                prices_by_strength={"LOW": draw(money), "HIGH": draw(money)},
                applies=_only("COM"),
            ),
            MinimumCharge(code="MIN", label="Minimum", amount=draw(money) * 5),
        ),
    )


accounts = st.builds(
    RatingAttributes,
    customer_class=st.sampled_from(["RES", "MFR", "COM", "BUDGET", "OTHER"]),
    meter_size=st.sampled_from(METERS),
    dwelling_units=st.integers(1, 4),
    household_size=st.integers(0, 5),
    irrigated_area_sqft=st.sampled_from([D(0), D(1500), D(3000)]),
    landscape_factor=st.sampled_from([None, D("0.5")]),
    et_inches=st.sampled_from([D(0), D("5.40")]),
    district=st.sampled_from(list(District)),
    sewer_cap_ccf=st.sampled_from([None, D(4), D(9)]),
    strength_class=st.sampled_from(["LOW", "HIGH"]),
    variance_ccf=st.sampled_from([D(0), D("2.5")]),
    fire_meter_size=st.sampled_from([None, '1"']),
)
# few distinct values, so that accounts, usages and periods repeat and caches are hit
usages = st.sampled_from([D(0), D("0.5"), D(4), D(7), D("12.25"), D(25), D(60), D(140)])
periods = st.builds(
    lambda start, days: BillingPeriod(start, start + timedelta(days=days)),
    st.sampled_from([date(2025, 1, 20), date(2025, 4, 15), date(2025, 6, 3)]),
    st.sampled_from([3, 29, 30, 45, 61]),
)


def _outcome(rater: Rater, bill: tuple[RatingAttributes, Decimal, BillingPeriod]) -> str:
    account, usage, period = bill
    try:
        return repr(rater.rate(account, usage, CCF, period))
    except RatingError as error:
        return f"RatingError: {error}"


@settings(max_examples=150, deadline=None)
@given(
    schedules(),
    schedules(),
    st.integers(1, 60),
    st.lists(st.tuples(accounts, usages, periods), min_size=1, max_size=25),
)
def test_cached_bills_equal_bills_with_every_line_computed(
    first: RateVersion,
    second: RateVersion,
    change_after: int,
    bills: list[tuple[RatingAttributes, Decimal, BillingPeriod]],
) -> None:
    # given a rate change that some periods straddle
    schedule = [
        first,
        replace(second, version_id="B", effective_from=date(2025, 1, 20) + timedelta(change_after)),
    ]
    cached, fresh = Rater(schedule), Rater(schedule, cache=False)
    # when every bill is rated through the caches (twice) and afresh
    for bill in bills + bills[::-1]:
        # then each is the same bill, line for line, in representation too
        assert _outcome(cached, bill) == _outcome(fresh, bill)


@settings(max_examples=100, deadline=None)
@given(schedules(), accounts, accounts, usages, periods)
def test_accounts_that_differ_only_in_unread_attributes_share_a_bill(
    version: RateVersion,
    account: RatingAttributes,
    other: RatingAttributes,
    usage: Decimal,
    period: BillingPeriod,
) -> None:
    # given a second account of the same kind that differs in other attributes
    same_kind = replace(
        other,
        customer_class=account.customer_class,
        district=account.district,
        zone=account.zone,
    )
    cached, fresh = Rater([version]), Rater([version], cache=False)
    # when both are rated through one cache, in either order
    for first, second in ((account, same_kind), (same_kind, account)):
        cached = Rater([version])
        _outcome(cached, (first, usage, period))
        # then the second still gets exactly its own bill
        assert _outcome(cached, (second, usage, period)) == _outcome(fresh, (second, usage, period))


@settings(max_examples=100, deadline=None)
@given(schedules(), st.lists(accounts, min_size=1, max_size=3), periods)
def test_one_account_billed_at_every_usage_gets_the_bills_computed_afresh(
    version: RateVersion, group: list[RatingAttributes], period: BillingPeriod
) -> None:
    # given accounts billed over one period at each usage, zero (a dormant meter) included
    cached, fresh = Rater([version]), Rater([version], cache=False)
    for usage in [D(0), D(7), D(0), D("12.25"), D(140), D("0.5")]:
        for account in group:
            # then each bill is the one computed afresh
            bill = (account, usage, period)
            assert _outcome(cached, bill) == _outcome(fresh, bill)
