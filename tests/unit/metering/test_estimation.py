"""Estimates and baselines from an account's billed history."""

from datetime import date
from decimal import Decimal

from cistern.metering.domain.estimation import (
    UsagePeriod,
    baseline_per_day,
    estimate_volume,
    true_up_volume,
)

D = Decimal
HISTORY = [
    UsagePeriod(date(2025, 10, 1), date(2025, 10, 31), D(30)),  # last October: 1/day
    UsagePeriod(date(2026, 7, 1), date(2026, 7, 31), D(60)),
    UsagePeriod(date(2026, 8, 1), date(2026, 8, 31), D(45)),
    UsagePeriod(date(2026, 9, 1), date(2026, 10, 1), D(30)),
]


def test_same_period_last_year_is_the_first_choice():
    assert baseline_per_day(HISTORY, start=date(2026, 10, 1), end=date(2026, 10, 31)) == D(1)


def test_without_last_year_the_recent_average_per_day_is_used():
    # Nov 2026 has no match a year earlier: the last three periods, 135 CCF over 90 days.
    got = baseline_per_day(HISTORY, start=date(2026, 11, 1), end=date(2026, 12, 1))
    assert got == D(135) / D(90)


def test_no_history_gives_no_estimate():
    assert estimate_volume([], start=date(2026, 11, 1), end=date(2026, 12, 1)) is None


def test_estimate_scales_by_days_and_rounds_half_up_to_whole_units():
    got = estimate_volume(HISTORY, start=date(2026, 11, 1), end=date(2026, 12, 1))
    assert got == D(45)  # 1.5/day x 30 days


def test_true_up_subtracts_what_estimates_already_billed():
    assert true_up_volume(actual_since_last_actual=D(70), estimated_since=D(45)) == D(25)
    assert true_up_volume(actual_since_last_actual=D(40), estimated_since=D(45)) == D(-5)
