"""Matching the bank's credits to the deposits cashiering expects, and listing the rest."""

from __future__ import annotations

from datetime import date

from cistern.payments.domain.deposit_match import BankCreditLine, ExpectedDeposit, deposits_match

MON, TUE, WED, FRI = date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 5), date(2025, 3, 7)


def credit(key: str, day: date, cents: int, reference: str = "") -> BankCreditLine:
    return BankCreditLine(key, day, cents, reference)


def deposit(key: str, day: date, cents: int, reference: str = "") -> ExpectedDeposit:
    return ExpectedDeposit(key, "deposit_slip", day, cents, reference)


def pairs(result) -> list[tuple[str, str, str]]:
    return [(m.credit.key, m.deposit.key, m.rule) for m in result.matches]


def test_a_credit_of_the_same_amount_on_the_same_day_ties() -> None:
    result = deposits_match(credits=[credit("c1", MON, 5000)], deposits=[deposit("d1", MON, 5000)])
    assert pairs(result) == [("c1", "d1", "same_day")] and result.ties


def test_the_same_day_wins_over_an_earlier_deposit_of_the_same_amount() -> None:
    # given two $50 deposits, Monday and Tuesday, and one $50 credit on Tuesday
    deposits = [deposit("mon", MON, 5000), deposit("tue", TUE, 5000)]
    result = deposits_match(credits=[credit("c", TUE, 5000)], deposits=deposits)
    # then it ties to Tuesday's, and Monday's is listed as not credited
    assert pairs(result) == [("c", "tue", "same_day")]
    assert [d.key for d in result.unmatched_deposits] == ["mon"]


def test_a_credit_a_day_after_the_deposit_ties_within_the_window() -> None:
    result = deposits_match(credits=[credit("c", TUE, 5000)], deposits=[deposit("d", MON, 5000)])
    assert pairs(result) == [("c", "d", "within_window")] and result.matches[0].days_apart == 1


def test_the_nearest_deposit_wins_within_the_window() -> None:
    deposits = [deposit("mon", MON, 5000), deposit("tue", TUE, 5000)]
    result = deposits_match(credits=[credit("c", WED, 5000)], deposits=deposits)
    assert pairs(result) == [("c", "tue", "within_window")]


def test_outside_the_window_or_before_the_deposit_nothing_ties() -> None:
    result = deposits_match(
        credits=[credit("late", FRI, 5000), credit("early", MON, 7000)],
        deposits=[deposit("d", MON, 5000), deposit("e", TUE, 7000)],
        window_days=3,
    )
    assert result.matches == () and not result.ties
    assert [c.key for c in result.unmatched_credits] == ["late", "early"]
    assert [d.key for d in result.unmatched_deposits] == ["d", "e"]


def test_a_reference_ties_before_dates_are_considered() -> None:
    # given a lockbox batch LB7 and a slip of the same amount and day
    deposits = [deposit("slip", MON, 9900), deposit("lockbox", MON, 9900, "LB7")]
    result = deposits_match(credits=[credit("c", MON, 9900, "LB7")], deposits=deposits)
    assert pairs(result) == [("c", "lockbox", "reference")]


def test_each_deposit_ties_at_most_once_and_the_rest_is_listed_on_both_sides() -> None:
    credits = [credit("a", MON, 5000), credit("b", MON, 5000), credit("c", MON, 123)]
    deposits = [deposit("d1", MON, 5000), deposit("d2", MON, 4999)]
    result = deposits_match(credits=credits, deposits=deposits)
    assert pairs(result) == [("a", "d1", "same_day")]
    assert [c.key for c in result.unmatched_credits] == ["b", "c"]
    assert [d.key for d in result.unmatched_deposits] == ["d2"]


def test_the_result_is_the_same_every_time_for_the_same_input() -> None:
    credits = [credit(str(i), MON, 100 * (i % 3)) for i in range(9)]
    deposits = [deposit(f"d{i}", MON, 100 * (i % 2)) for i in range(7)]
    assert deposits_match(credits=credits, deposits=deposits) == deposits_match(
        credits=credits, deposits=deposits
    )
