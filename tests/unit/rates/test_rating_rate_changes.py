"""A rate change inside a billing period is prorated by days.

The cast: version 2025-A (service $20.00, 10 CCF at $2.00 then $3.00) and version
2025-B from July 16 (service $26.00, $2.50 then $3.50). A July period of 30 days
splits into 15 + 15 days; 30 CCF splits 15 + 15; the 10 CCF tier becomes 5 in each.
"""

from datetime import date

import pytest

from cistern.rates.domain import (
    FixedCharge,
    RateVersion,
    RatingError,
    Tier,
    TieredCharge,
    VolumeUnit,
)
from cistern.rates.domain.proration import factor_ratio, split_period
from tests.unit.rates.rating_cast import JULY, D, bill_for, days_from, version


def _version(version_id: str, effective: date, service: str, low: str, high: str) -> RateVersion:
    return version(
        FixedCharge(code="SERVICE", label="Service", flat=D(service)),
        TieredCharge(
            code="WATER",
            label="Water",
            unit=VolumeUnit.CCF,
            tiers=(Tier(D(0), D(low)), Tier(D(10), D(high))),
        ),
        version_id=version_id,
        effective_from=effective,
        normal_days=(28, 31),
    )


OLD = _version("2025-A", date(2025, 1, 1), "20.00", "2.00", "3.00")
NEW = _version("2025-B", date(2025, 7, 16), "26.00", "2.50", "3.50")


def test_a_rate_change_mid_period_splits_every_charge_by_days() -> None:
    bill = bill_for([NEW, OLD], "30")
    assert [(line.version_id, line.code, line.days, line.amount_cents) for line in bill.lines] == [
        ("2025-A", "SERVICE", 15, 1000),
        ("2025-A", "WATER", 15, 1000),  # 5 CCF @ 2.00 (tier 1 is 5 wide)
        ("2025-A", "WATER", 15, 3000),  # 10 CCF @ 3.00
        ("2025-B", "SERVICE", 15, 1300),
        ("2025-B", "WATER", 15, 1250),
        ("2025-B", "WATER", 15, 3500),
    ]
    assert bill.total_cents == 11050
    assert bill.lines[1].tier_to == D(5)


def test_a_rate_change_in_a_normal_31_day_month_shares_one_full_period() -> None:
    # 15 days at 20.00 x 15/31 = 9.677 and 16 days at 26.00 x 16/31 = 13.419
    bill = bill_for([OLD, NEW], "0", period=days_from(date(2025, 7, 1), 31))
    assert [line.amount_cents for line in bill.lines] == [968, 1342]
    assert [line.proration for line in bill.lines] == [D(15) / 31, D(16) / 31]


def test_a_change_on_the_first_day_or_after_the_period_does_not_split() -> None:
    assert {line.version_id for line in bill_for([OLD, NEW], "5").lines} == {"2025-A", "2025-B"}
    after = bill_for([OLD, NEW], "5", period=days_from(date(2025, 7, 16), 30))
    assert {line.version_id for line in after.lines} == {"2025-B"}
    before = bill_for([OLD, NEW], "5", period=days_from(date(2025, 6, 1), 30))
    assert {line.version_id for line in before.lines} == {"2025-A"}


def test_a_period_before_the_first_version_is_refused() -> None:
    with pytest.raises(RatingError, match="2024-12-31"):
        bill_for([OLD], "5", period=days_from(date(2024, 12, 31), 30))


@pytest.mark.parametrize(
    ("changes", "parts"),
    [
        ([date(2025, 1, 1)], [(0, 30)]),
        ([date(2025, 1, 1), date(2025, 7, 16)], [(0, 15), (1, 15)]),
        ([date(2025, 1, 1), date(2025, 7, 10), date(2025, 7, 20)], [(0, 9), (1, 10), (2, 11)]),
        ([date(2025, 1, 1), date(2025, 7, 31)], [(0, 30)]),  # starts the day after the period
        ([date(2025, 7, 1), date(2025, 7, 2)], [(0, 1), (1, 29)]),
    ],
)
def test_a_period_splits_at_each_change_inside_it(
    changes: list[date], parts: list[tuple[int, int]]
) -> None:
    assert [(p.version_index, p.days) for p in split_period(JULY, changes)] == parts


@pytest.mark.parametrize(
    ("part", "whole", "normal", "ratio"),
    [
        (30, 30, None, (1, 1)),
        (15, 30, None, (1, 2)),
        (31, 31, None, (31, 30)),
        (31, 31, (28, 31), (1, 1)),
        (15, 31, (28, 31), (15, 31)),
        (45, 45, (28, 31), (3, 2)),
    ],
)
def test_the_proration_factor_is_days_over_the_nominal_or_the_normal_period(
    part: int, whole: int, normal: tuple[int, int] | None, ratio: tuple[int, int]
) -> None:
    assert factor_ratio(part, whole, 30, normal) == ratio
