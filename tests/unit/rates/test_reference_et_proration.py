"""ET over a billing period: each month's inches times its share of days in the period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cistern.rates.et import month_shares, prorated_et

ZONE_14 = {m: Decimal(v) for m, v in enumerate(
    ["1.55", "2.24", "3.72", "5.10", "6.82", "7.80", "8.68", "7.75", "5.70", "4.03", "2.10",
     "1.55"], start=1)}  # fmt: skip


def test_a_whole_calendar_month_gets_that_months_inches() -> None:
    assert prorated_et(ZONE_14, month_shares(date(2025, 7, 1), date(2025, 7, 31))) == Decimal(
        "8.68"
    )


def test_a_period_across_two_months_takes_each_months_share_of_days() -> None:
    shares = month_shares(date(2025, 3, 15), date(2025, 4, 14))
    assert shares == [(3, 17, 31), (4, 14, 30)]
    # 3.72 x 17/31 + 5.10 x 14/30 = 2.0400 + 2.3800 = 4.42
    assert prorated_et(ZONE_14, shares) == Decimal("4.42")


def test_february_of_a_leap_year_has_29_days() -> None:
    assert month_shares(date(2024, 2, 1), date(2024, 2, 29)) == [(2, 29, 29)]
    assert prorated_et(ZONE_14, month_shares(date(2024, 2, 10), date(2024, 2, 29))) == Decimal(
        "1.54"
    )  # 2.24 x 20/29 = 1.5448...


def test_a_two_month_period_sums_both_months() -> None:
    shares = month_shares(date(2025, 6, 1), date(2025, 7, 31))
    assert prorated_et(ZONE_14, shares) == Decimal("16.48")


def test_a_period_over_a_year_long_counts_a_month_twice() -> None:
    shares = month_shares(date(2024, 1, 1), date(2025, 1, 31))
    assert [m for m, _, _ in shares].count(1) == 2
    assert prorated_et(ZONE_14, shares) == sum(ZONE_14.values()) + Decimal("1.55")


@pytest.mark.parametrize("missing", [1, 7])
def test_a_month_missing_from_the_table_counts_as_zero(missing: int) -> None:
    partial = {m: v for m, v in ZONE_14.items() if m != missing}
    whole_month = month_shares(date(2025, missing, 1), date(2025, missing, 28))
    assert prorated_et(partial, whole_month) == Decimal("0.00")


def test_a_single_day_is_rounded_to_the_hundredth() -> None:
    assert prorated_et(ZONE_14, month_shares(date(2025, 7, 4), date(2025, 7, 4))) == Decimal(
        "0.28"
    )  # 8.68 / 31 = 0.28
