"""Properties of the rating engine, checked over generated schedules and accounts.

Per-line rounding tolerance: every line is rounded once. Under half-up or
half-even its amount is within half a cent of its exact value, so two ratings of
the same usage whose exact totals agree differ by at most (n1 + n2) / 2 cents,
n1 and n2 being their numbers of lines. Rounding down loses less than a cent per
line, always in the same direction, so they differ by less than max(n1, n2).
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cistern.rates.domain import (
    Applicability,
    Bill,
    BillingPeriod,
    BudgetStartKind,
    BudgetTier,
    BudgetTieredCharge,
    Component,
    FixedCharge,
    MinimumCharge,
    Rater,
    RateVersion,
    RatingAttributes,
    RoundingRule,
    SewerCap,
    SewerVolumetric,
    Tier,
    TieredCharge,
    VolumetricSurcharge,
    VolumeUnit,
    round_to_cents,
)

CCF = VolumeUnit.CCF
money = st.decimals(min_value=0, max_value=50, places=4)
amounts = st.decimals(min_value=0, max_value=500, places=2)
usages = st.decimals(min_value=0, max_value=300, places=2)


@st.composite
def tier_tables(draw: st.DrawFn) -> tuple[Tier, ...]:
    widths = draw(st.lists(st.decimals(min_value="0.5", max_value=40, places=1), max_size=4))
    starts = [Decimal(0)]
    for width in widths:
        starts.append(starts[-1] + width)
    return tuple(Tier(start, draw(money)) for start in starts)


@st.composite
def components(draw: st.DrawFn, with_minimum: bool, whole_units: bool) -> tuple[Component, ...]:
    summer = Applicability(months=frozenset({5, 6, 7, 8, 9}))
    found: list[Component] = [
        FixedCharge(code="SERVICE", label="Service", flat=draw(amounts)),
        TieredCharge(
            code="WATER",
            label="Water",
            unit=draw(st.sampled_from(list(VolumeUnit))),
            tiers=draw(tier_tables()),
            whole_units=whole_units and draw(st.booleans()),
        ),
        TieredCharge(
            code="PEAK", label="Summer", unit=CCF, tiers=draw(tier_tables()), applies=summer
        ),
        BudgetTieredCharge(
            code="BUDGET",
            label="Budget",
            tiers=(
                BudgetTier(BudgetStartKind.ZERO, draw(money)),
                BudgetTier(BudgetStartKind.INDOOR, draw(money)),
                BudgetTier(BudgetStartKind.BUDGET_FRACTION, draw(money), Decimal(1)),
                BudgetTier(BudgetStartKind.UNITS, draw(money), Decimal(40)),
            ),
        ),
        VolumetricSurcharge(
            code="STAGE", label="Shortage", unit=CCF, price=draw(money), threshold=draw(amounts)
        ),
        SewerVolumetric(
            code="SEWER",
            label="Sewer",
            unit=CCF,
            price=draw(money),
            return_factor=Decimal("0.9"),
            cap_kind=SewerCap.FIXED,
            cap=draw(amounts),
        ),
    ]
    if with_minimum:
        found.append(MinimumCharge(code="MIN", label="Minimum", amount=draw(amounts)))
    return tuple(found)


@st.composite
def versions(draw: st.DrawFn, with_minimum: bool = False, whole_units: bool = True) -> RateVersion:
    return RateVersion(
        version_id="A",
        effective_from=date(2020, 1, 1),
        components=draw(components(with_minimum, whole_units)),
        rounding=draw(st.sampled_from(list(RoundingRule))),
        nominal_days=draw(st.sampled_from([30, 60])),
        normal_days=draw(st.sampled_from([None, (28, 31), (56, 63)])),
    )


accounts = st.builds(
    RatingAttributes,
    customer_class=st.just("RES"),
    household_size=st.integers(0, 8),
    irrigated_area_sqft=st.decimals(min_value=0, max_value=5000, places=0),
    et_inches=st.decimals(min_value=0, max_value=10, places=2),
    variance_ccf=st.decimals(min_value=0, max_value=5, places=1),
)


@st.composite
def periods(draw: st.DrawFn) -> BillingPeriod:
    start = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)))
    return BillingPeriod(start, start + timedelta(days=draw(st.integers(2, 70))))


def _tolerance(rule: RoundingRule, *line_counts: int) -> float:
    if rule is RoundingRule.DOWN:
        return max(line_counts)
    return sum(line_counts) / 2


def _rate(
    schedule: list[RateVersion], account: RatingAttributes, usage: Decimal, period: BillingPeriod
) -> Bill:
    return Rater(schedule).rate(account, usage, CCF, period)


@settings(max_examples=100, deadline=None)
@given(versions(with_minimum=True), accounts, usages, usages, periods())
def test_a_bill_never_decreases_as_usage_increases(
    version: RateVersion, account: RatingAttributes, a: Decimal, b: Decimal, period: BillingPeriod
) -> None:
    low, high = sorted((a, b))
    assert _rate([version], account, low, period).total_cents <= (
        _rate([version], account, high, period).total_cents
    )


@settings(max_examples=100, deadline=None)
@given(versions(), accounts, usages, periods(), st.data())
def test_splitting_a_period_at_a_rate_change_adds_up_to_the_prorated_whole(
    version: RateVersion,
    account: RatingAttributes,
    usage: Decimal,
    period: BillingPeriod,
    data: st.DataObject,
) -> None:
    # given the same prices adopted again as a new version inside the period
    offset = data.draw(st.integers(1, period.days - 1))
    again = replace(version, version_id="B", effective_from=period.start + timedelta(offset))
    # when the period is rated across the change and as a whole
    split = _rate([version, again], account, usage, period)
    whole = _rate([version], account, usage, period)
    # then the parts add up to the whole within the per-line rounding tolerance
    assert {line.version_id for line in split.lines} <= {"A", "B"}
    tolerance = _tolerance(version.rounding, len(split.lines), len(whole.lines))
    assert abs(split.total_cents - whole.total_cents) <= tolerance


@settings(max_examples=100, deadline=None)
@given(versions(whole_units=False), versions(whole_units=False), usages, periods(), st.data())
def test_a_split_bill_equals_each_part_rated_alone_with_its_share_of_usage(
    first: RateVersion,
    second: RateVersion,
    usage: Decimal,
    period: BillingPeriod,
    data: st.DataObject,
) -> None:
    # given strict proration by days and a change `offset` days into the period
    # (whole units floor the bill's total usage once, not each part's share: excluded)
    first = replace(first, normal_days=None, nominal_days=30)
    second = replace(
        second, version_id="B", normal_days=None, nominal_days=30, rounding=first.rounding
    )
    offset = data.draw(st.integers(1, period.days - 1))
    change = period.start + timedelta(offset)
    second = replace(second, effective_from=change)
    account = RatingAttributes(customer_class="RES")  # no budget inputs: ET is per period
    # when the split period is rated, and each part on its own
    split = _rate([first, second], account, usage, period)
    share = usage * offset / period.days
    before = _rate([first], account, share, BillingPeriod(period.start, change))
    after = _rate([second], account, usage - share, BillingPeriod(change, period.end))
    # then they agree within the per-line tolerance
    parts = before.total_cents + after.total_cents
    tolerance = _tolerance(first.rounding, len(split.lines), len(before.lines) + len(after.lines))
    assert abs(split.total_cents - parts) <= tolerance


@settings(max_examples=100, deadline=None)
@given(versions(with_minimum=True), accounts, usages, periods())
def test_lines_sum_to_the_bill_and_each_volumetric_line_is_its_quantity_times_price(
    version: RateVersion, account: RatingAttributes, usage: Decimal, period: BillingPeriod
) -> None:
    bill = _rate([version], account, usage, period)
    assert bill.total_cents == sum(line.amount_cents for line in bill.lines)
    for line in bill.lines:
        if line.unit not in {"period", "dwelling unit", "minimum"}:
            assert line.amount_cents == round_to_cents(
                line.quantity * line.unit_price, version.rounding
            )
            assert line.quantity > 0


@settings(max_examples=100, deadline=None)
@given(
    versions(with_minimum=True),
    versions(),
    st.lists(st.tuples(accounts, usages), min_size=1, max_size=8),
    periods(),
    st.data(),
)
def test_the_caches_give_exactly_the_bills_computed_afresh(
    first: RateVersion,
    second: RateVersion,
    bills: list[tuple[RatingAttributes, Decimal]],
    period: BillingPeriod,
    data: st.DataObject,
) -> None:
    # given two versions, the second taking effect inside the period
    change = period.start + timedelta(data.draw(st.integers(1, period.days - 1)))
    schedule = [first, replace(second, version_id="B", effective_from=change)]
    cached, fresh = Rater(schedule), Rater(schedule, cache=False)
    # when the same accounts are billed twice through the cache and once afresh
    for account, usage in bills + bills:
        # then every bill is identical, line for line
        assert cached.rate(account, usage, CCF, period) == fresh.rate(account, usage, CCF, period)
