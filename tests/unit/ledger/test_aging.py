"""Aging: a balance is made of its newest charges; payments retire the oldest first."""

from datetime import date, timedelta

import pytest

from cistern.ledger.domain.aging import Aging, age_balance, bucket_index

AS_OF = date(2025, 6, 30)


def days_ago(n: int) -> date:
    return AS_OF - timedelta(days=n)


@pytest.mark.parametrize(
    ("age_days", "bucket"),
    [
        (0, 0),
        (29, 0),
        (30, 1),
        (59, 1),
        (60, 2),
        (89, 2),
        (90, 3),
        (119, 3),
        (120, 4),
        (1000, 4),
        (-5, 0),  # dated after as_of: still current
    ],
)
def test_a_charge_falls_in_the_bucket_of_its_age(age_days: int, bucket: int) -> None:
    assert bucket_index(charge_date=days_ago(age_days), as_of=AS_OF) == bucket


@pytest.mark.parametrize(
    ("charges", "balance", "expected"),
    [
        # one unpaid current bill
        ([(0, 5000)], 5000, Aging(current_cents=5000)),
        # three monthly bills, two paid: what is left is the newest
        ([(5, 4000), (35, 4000), (65, 4000)], 4000, Aging(current_cents=4000)),
        # three bills, partly paid: the oldest is retired first
        ([(5, 4000), (35, 4000), (65, 4000)], 10000, Aging(4000, 4000, 2000)),
        # nothing paid at all
        (
            [(5, 100), (35, 200), (65, 300), (95, 400), (200, 500)],
            1500,
            Aging(100, 200, 300, 400, 500),
        ),
        # a credit balance is all current, nothing past due
        ([(40, 1000)], -250, Aging(current_cents=-250)),
        ([(40, 1000)], 0, Aging()),
    ],
)
def test_the_balance_is_aged_newest_charges_first(
    charges: list[tuple[int, int]], balance: int, expected: Aging
) -> None:
    dated = [(days_ago(d), amount) for d, amount in charges]
    assert age_balance(balance_cents=balance, charges=dated, as_of=AS_OF) == expected


def test_a_balance_larger_than_the_charges_on_file_ages_its_remainder_as_oldest() -> None:
    aging = age_balance(balance_cents=700, charges=[(days_ago(1), 500)], as_of=AS_OF)
    assert aging == Aging(current_cents=500, days_120_plus_cents=200)
    assert aging.total_cents == 700


def test_charges_after_as_of_and_credits_are_not_charges() -> None:
    charges = [(AS_OF + timedelta(days=3), 900), (days_ago(45), 800), (days_ago(2), -300)]
    aging = age_balance(balance_cents=500, charges=charges, as_of=AS_OF)
    assert aging == Aging(days_30_cents=500)


def test_past_due_is_everything_but_current_and_total_is_the_sum() -> None:
    aging = Aging(100, 200, 300, 400, 500)
    assert aging.past_due_cents == 1400
    assert aging.total_cents == 1500
    assert aging.as_dict()["days_120_plus"] == 500
