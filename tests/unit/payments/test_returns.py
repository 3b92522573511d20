"""Returned payments: ACH return codes, re-presentment, returned checks and cash-only."""

from datetime import date, timedelta

import pytest

from cistern.payments.domain.errors import PaymentRuleError
from cistern.payments.domain.returns import (
    ACH_RETURN_REASONS,
    CheckReturnReason,
    ach_return_reason,
    cash_only_due,
    represent_allowed,
    returns_in_last_12_months,
    twelve_months_before,
)

SETTLED = date(2025, 3, 3)


def test_the_table_holds_the_codes_cistern_acts_on() -> None:
    assert sorted(ACH_RETURN_REASONS) == [
        "R01",
        "R02",
        "R03",
        "R04",
        "R05",
        "R07",
        "R08",
        "R09",
        "R10",
        "R16",
        "R20",
        "R29",
    ]
    assert all(r.title and r.meaning for r in ACH_RETURN_REASONS.values())


@pytest.mark.parametrize(
    ("code", "may_represent", "stops_autopay"),
    [
        ("R01", True, False),
        ("R09", True, False),
        ("R02", False, True),
        ("R03", False, True),
        ("R04", False, True),
        ("R05", False, True),
        ("R07", False, True),
        ("R10", False, True),
        ("R16", False, True),
        ("R20", False, True),
        ("R08", False, False),
        ("R29", False, False),
    ],
)
def test_each_return_code_carries_its_policy(
    code: str, may_represent: bool, stops_autopay: bool
) -> None:
    reason = ach_return_reason(code)
    assert reason.may_represent is may_represent
    assert reason.stops_autopay is stops_autopay


def test_a_return_code_is_read_whatever_its_case_and_spacing() -> None:
    assert ach_return_reason(" r01 ").code == "R01"


def test_an_unknown_return_code_is_refused_for_handling_by_hand() -> None:
    with pytest.raises(PaymentRuleError) as refused:
        ach_return_reason("R06")
    assert refused.value.code == "unknown_return_code"
    assert "by hand" in refused.value.message


@pytest.mark.parametrize(
    ("code", "times", "today", "allowed"),
    [
        ("R01", 0, SETTLED + timedelta(days=3), True),
        ("R09", 1, SETTLED + timedelta(days=30), True),
        ("R01", 2, SETTLED + timedelta(days=30), False),  # already twice
        ("R01", 0, SETTLED + timedelta(days=180), True),  # the last day of the window
        ("R01", 0, SETTLED + timedelta(days=181), False),
        ("R02", 0, SETTLED + timedelta(days=3), False),
        ("R08", 0, SETTLED + timedelta(days=3), False),
    ],
)
def test_only_r01_and_r09_may_be_represented_twice_within_180_days(
    code: str, times: int, today: date, allowed: bool
) -> None:
    decision = represent_allowed(
        code=code, times_represented=times, original_settlement_date=SETTLED, today=today
    )
    assert decision.allowed is allowed
    assert bool(decision.reason) is not allowed


def test_every_returned_check_reason_has_a_label() -> None:
    assert [r.label for r in CheckReturnReason] == [
        "Not sufficient funds",
        "Account closed",
        "Payment stopped by the maker",
        "Refer to maker",
    ]


@pytest.mark.parametrize(
    ("as_of", "year_before"),
    [
        (date(2025, 3, 14), date(2024, 3, 14)),
        (date(2024, 2, 29), date(2023, 2, 28)),
        (date(2025, 1, 1), date(2024, 1, 1)),
    ],
)
def test_twelve_months_back_is_the_same_day_last_year(as_of: date, year_before: date) -> None:
    assert twelve_months_before(as_of) == year_before


def test_returns_are_counted_over_the_last_twelve_months_only() -> None:
    as_of = date(2025, 3, 14)
    dates = [
        date(2024, 3, 14),  # exactly a year ago: no longer counts
        date(2024, 3, 15),
        date(2024, 12, 1),
        date(2025, 3, 14),
        date(2025, 3, 15),  # after as_of
    ]
    assert returns_in_last_12_months(dates, as_of=as_of) == 3


@pytest.mark.parametrize(
    ("returns", "threshold", "due"),
    [(0, 2, False), (1, 2, False), (2, 2, True), (5, 2, True), (1, 1, True)],
)
def test_an_account_is_cash_only_once_its_returns_reach_the_threshold(
    returns: int, threshold: int, due: bool
) -> None:
    assert cash_only_due(returns, threshold) is due


@pytest.mark.parametrize(("returns", "threshold"), [(1, 0), (1, -1), (-1, 2)])
def test_a_threshold_below_one_or_a_negative_count_is_refused(returns: int, threshold: int) -> None:
    with pytest.raises(PaymentRuleError):
        cash_only_due(returns, threshold)
