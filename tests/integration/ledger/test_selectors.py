"""Balances, balance by category, aging, recent activity and the trial balance."""

from __future__ import annotations

from datetime import date

import pytest

from cistern.ledger import codes
from cistern.ledger.selectors import (
    Aging,
    account_aging,
    account_balance_by_category,
    account_balance_cents,
    account_recent_postings,
    trial_balance,
    trial_balance_total_cents,
)
from cistern.ledger.services import Leg, journal_entry_post

pytestmark = pytest.mark.django_db


def charge(actor, account, day: date, water: int, sewer: int = 0, key: str = "") -> None:
    legs = [Leg(codes.AR_WATER, water, account.id, "water"), Leg(codes.REV_WATER, -water)]
    if sewer:
        legs += [Leg(codes.AR_SEWER, sewer, account.id, "sewer"), Leg(codes.REV_SEWER, -sewer)]
    journal_entry_post(
        idempotency_key=key or f"bill:{account.id}:{day}",
        effective_date=day,
        source="bill",
        source_ref=f"B{day:%m}",
        legs=legs,
        actor=actor,
    )


def pay(actor, account, day: date, cents: int) -> None:
    journal_entry_post(
        idempotency_key=f"pay:{account.id}:{day}",
        effective_date=day,
        source="payment",
        legs=[Leg(codes.CASH_CLEARING, cents), Leg(codes.AR_WATER, -cents, account.id, "water")],
        actor=actor,
    )


def test_a_new_account_owes_nothing(account) -> None:
    assert account_balance_cents(account_id=account.id) == 0
    assert account_balance_by_category(account_id=account.id) == {}
    assert account_aging(account_id=account.id, as_of=date(2025, 1, 1)) == Aging()
    assert account_recent_postings(account_id=account.id) == []


def test_the_balance_is_what_was_billed_less_what_was_paid(finance, account, other_account):
    charge(finance, account, date(2025, 1, 1), 3000, 2000)
    charge(finance, other_account, date(2025, 1, 1), 999)
    pay(finance, account, date(2025, 1, 20), 3500)
    assert account_balance_cents(account_id=account.id) == 1500
    assert account_balance_by_category(account_id=account.id) == {"water": -500, "sewer": 2000}


def test_an_overpayment_leaves_a_credit_balance_aged_as_current(finance, account) -> None:
    charge(finance, account, date(2025, 1, 1), 1000)
    pay(finance, account, date(2025, 1, 5), 1500)
    assert account_balance_cents(account_id=account.id) == -500
    aging = account_aging(account_id=account.id, as_of=date(2025, 5, 1))
    assert aging == Aging(current_cents=-500)
    assert aging.past_due_cents == 0


def test_aging_retires_the_oldest_bills_first(finance, account) -> None:
    charge(finance, account, date(2025, 1, 1), 4000)
    charge(finance, account, date(2025, 2, 1), 4000)
    charge(finance, account, date(2025, 3, 1), 4000)
    pay(finance, account, date(2025, 3, 10), 5000)
    aging = account_aging(account_id=account.id, as_of=date(2025, 3, 15))
    # March's bill (14 days) is current, February's (42 days) 30+, January's was paid.
    assert aging == Aging(current_cents=4000, days_30_cents=3000)
    assert (aging.total_cents, aging.past_due_cents) == (7000, 3000)


def test_aging_as_of_an_earlier_date_ignores_later_postings(finance, account) -> None:
    charge(finance, account, date(2025, 1, 1), 4000)
    charge(finance, account, date(2025, 6, 1), 4000)
    assert account_aging(account_id=account.id, as_of=date(2025, 3, 5)) == Aging(days_60_cents=4000)


def test_recent_postings_are_newest_first_with_the_balance_after_each(finance, account):
    charge(finance, account, date(2025, 1, 1), 3000, 2000)
    pay(finance, account, date(2025, 1, 20), 3500)
    rows = account_recent_postings(account_id=account.id, limit=10)
    assert rows[0].amount_cents == -3500
    assert rows[0].source == "payment" and rows[0].running_balance_cents == 1500
    assert rows[-1].running_balance_cents == rows[-1].amount_cents
    assert len(account_recent_postings(account_id=account.id, limit=2)) == 2


def test_the_trial_balance_lists_every_account_and_sums_to_zero(finance, account) -> None:
    charge(finance, account, date(2025, 1, 1), 3000, 2000)
    pay(finance, account, date(2025, 2, 1), 3500)
    rows = {r.code: r for r in trial_balance()}
    assert rows[codes.CASH_CLEARING].debit_cents == 3500
    assert rows[codes.REV_WATER].credit_cents == 3000
    assert rows[codes.AR_WATER].balance_cents == -500
    assert sum(r.balance_cents for r in rows.values()) == 0 == trial_balance_total_cents()
    january = {r.code: r.balance_cents for r in trial_balance(as_of=date(2025, 1, 31))}
    assert january[codes.CASH_CLEARING] == 0 and january[codes.AR_WATER] == 3000
