"""Lines that do not depend on the usage are built once and shared between bills.

With its caches a `Rater` keeps the line of a tier block that usage fills whole,
and the sewer line of usage at or above the account's cap, and gives every later
bill that same line (see lines.Blocks and sewer.SewerKernel). These tests pin
that the shared lines are exactly the lines computed afresh (`cache=False`), in
representation too, and that a cap written with other digits keeps its own.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cistern.rates.domain import (
    Bill,
    BillingPeriod,
    BudgetStartKind,
    BudgetTier,
    BudgetTieredCharge,
    Rater,
    RateVersion,
    RatingAttributes,
    SewerCap,
    SewerVolumetric,
    Tier,
    TieredCharge,
    VolumeUnit,
)
from tests.unit.rates.rating_cast import JULY, D, days_from, home, version

CCF = VolumeUnit.CCF
SHORT = days_from(date(2025, 7, 1), 17)  # prorated bounds: 17/30 of each
WATER = TieredCharge(
    code="WATER",
    label="Water",
    unit=CCF,
    tiers=(Tier(D(0), D("2.31")), Tier(D(8), D("3.12")), Tier(D(20), D("4.47"))),
)
SEWER = SewerVolumetric(
    code="SEWER",
    label="Sewer",
    unit=CCF,
    price=D("3.80"),
    cap_kind=SewerCap.WINTER_AVERAGE,
    cap=D(10),
)
BUDGET = BudgetTieredCharge(
    code="BUDGET",
    label="Water (budget)",
    tiers=(
        BudgetTier(BudgetStartKind.ZERO, D("1.49")),
        BudgetTier(BudgetStartKind.INDOOR, D("1.70")),
        BudgetTier(BudgetStartKind.BUDGET_FRACTION, D("2.62"), D(1)),
    ),
)


def _both(
    schedule: RateVersion, bills: list[tuple[RatingAttributes, str, BillingPeriod]]
) -> tuple[list[Bill], list[Bill]]:
    """The bills rated through one cached `Rater`, and each computed afresh."""
    cached, fresh = Rater([schedule]), Rater([schedule], cache=False)
    through_cache = [cached.rate(a, D(usage), CCF, period) for a, usage, period in bills]
    afresh = [fresh.rate(a, D(usage), CCF, period) for a, usage, period in bills]
    return through_cache, afresh


def test_a_tier_block_filled_whole_is_one_line_shared_by_every_bill_that_fills_it() -> None:
    # given two homes whose usage fills the first block whole, in a full and a short period
    bills = [(home(), usage, period) for period in (JULY, SHORT) for usage in ("9", "25")]
    # when they are rated through the caches and afresh
    cached, fresh = _both(version(WATER), bills)
    # then each bill is the one computed afresh, in representation too
    assert [repr(bill) for bill in cached] == [repr(bill) for bill in fresh]
    # and the bills of a period share the first block's line
    assert cached[0].lines[0] is cached[1].lines[0]
    assert cached[2].lines[0] is cached[3].lines[0]
    assert cached[2].lines[0].tier_to == D(8) * 17 / 30


def test_a_budget_tier_filled_whole_is_shared_and_the_partly_filled_one_is_not() -> None:
    # given one household billed at two usages above its indoor budget
    account = RatingAttributes(customer_class="BUDGET", household_size=3)
    bills = [(account, "12", JULY), (account, "15", JULY), (account, "12", SHORT)]
    # when they are rated through the caches and afresh
    cached, fresh = _both(version(BUDGET), bills)
    # then each bill is the one computed afresh
    assert [repr(bill) for bill in cached] == [repr(bill) for bill in fresh]
    # and both July bills show the same indoor-tier line, each its own last line
    assert cached[0].lines[0] is cached[1].lines[0]
    assert cached[0].lines[-1].quantity != cached[1].lines[-1].quantity


def test_the_sewer_line_at_the_cap_is_shared_by_every_usage_above_it() -> None:
    # given a home capped at 6 CCF billed at usages below, at and above its cap
    account = home(sewer_cap_ccf=D(6))
    bills = [(account, usage, JULY) for usage in ("4", "6", "9", "30")] + [(account, "9", SHORT)]
    # when they are rated through the caches and afresh
    cached, fresh = _both(version(SEWER), bills)
    # then each bill is the one computed afresh
    assert [repr(bill) for bill in cached] == [repr(bill) for bill in fresh]
    # and the usages above the cap share one line, billed on the cap
    assert cached[2].lines[0] is cached[3].lines[0]
    assert cached[2].lines[0].quantity == D(6)
    assert cached[4].lines[0].quantity == D(6) * 17 / 30


def test_a_cap_written_with_other_digits_shows_its_own_digits_on_the_sewer_line() -> None:
    # given two homes with the same cap written "6.5" and "6.50", both billed above it
    bills = [(home(sewer_cap_ccf=D("6.5")), "9", JULY), (home(sewer_cap_ccf=D("6.50")), "12", JULY)]
    # when they are rated through the caches and afresh
    cached, fresh = _both(version(SEWER), bills)
    # then each line shows its account's cap as written
    assert [repr(bill) for bill in cached] == [repr(bill) for bill in fresh]
    assert [str(bill.lines[0].tier_to) for bill in cached] == ["6.5", "6.50"]


def test_shared_lines_are_still_right_after_a_cache_starts_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given caches that start afresh after every entry
    monkeypatch.setattr("cistern.rates.domain.charges.CACHE_LIMIT", 1)
    monkeypatch.setattr("cistern.rates.domain.sewer.CACHE_LIMIT", 1)
    monkeypatch.setattr("cistern.rates.domain.engine.CACHE_LIMIT", 1)
    account = home(sewer_cap_ccf=D(6))
    bills = [(account, usage, period) for period in (JULY, SHORT) for usage in ("9", "25", "9")]
    # when bills are rated through them and afresh
    cached, fresh = _both(version(WATER, SEWER), bills)
    # then each bill is still the one computed afresh
    assert [repr(bill) for bill in cached] == [repr(bill) for bill in fresh]


def test_usage_in_another_unit_keeps_its_own_digits_on_a_partly_filled_block() -> None:
    # given 100 cubic feet (1.00 CCF after conversion) and 1 CCF, billed one after the other
    cached, fresh = Rater([version(WATER)]), Rater([version(WATER)], cache=False)
    cubic_feet = VolumeUnit.CUBIC_FEET
    # when rated through the caches and afresh
    in_cf = cached.rate(home(), Decimal(100), cubic_feet, JULY)
    in_ccf = cached.rate(home(), Decimal(1), CCF, JULY)
    # then each shows its own quantity as computed afresh
    assert repr(in_cf) == repr(fresh.rate(home(), Decimal(100), cubic_feet, JULY))
    assert repr(in_ccf) == repr(fresh.rate(home(), Decimal(1), CCF, JULY))
