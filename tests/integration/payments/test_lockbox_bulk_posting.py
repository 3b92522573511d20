"""Lockbox items post through the ledger's bulk path with the same legs as one at a time."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from cistern.ledger import codes
from cistern.ledger.models import Posting
from cistern.ledger.services import Leg, journal_entry_post
from cistern.payments.domain import lockbox_write
from cistern.payments.lockbox_posting import open_charges_many
from cistern.payments.models import Payment
from cistern.payments.posting import open_charges, open_charges_from_rows, payment_legs
from cistern.payments.services import lockbox_import
from cistern.staff.roles import Role
from tests.factories.customers import customer_account
from tests.factories.staff import staff_user
from tests.integration.payments.conftest import assert_ledger_sound, balance, charge
from tests.integration.payments.test_lockbox_import import item

pytestmark = pytest.mark.django_db


def test_open_charges_read_in_bulk_equal_those_read_one_account_at_a_time(maria, james) -> None:
    many = open_charges_many([maria.pk, james.pk])
    assert many[maria.pk] == open_charges(account_id=maria.pk)
    assert many[james.pk] == open_charges(account_id=james.pk)


_credit_keys = itertools.count(1)


def _credit(account, cents: int, category: str, day: date) -> None:
    """A payment-like credit to the category's receivable."""
    journal_entry_post(
        idempotency_key=f"test-credit:{next(_credit_keys)}",
        effective_date=day,
        source="payment",
        legs=[
            Leg(codes.CASH_CLEARING, cents),
            Leg(codes.RECEIVABLE_FOR_CATEGORY[category], -cents, account.pk, category),
        ],
        actor=staff_user(Role.FINANCE),
    )


def _by_the_rule(account) -> tuple:
    """`open_charges_from_rows` over every receivable posting, read through the ORM."""
    rows = (
        Posting.objects.filter(customer_account=account, ledger_account__is_receivable=True)
        .order_by("effective_date", "id")
        .values_list("charge_category", "ledger_account__code", "effective_date", "amount_cents")
    )
    return open_charges_from_rows(list(rows))


def test_open_charges_computed_in_the_database_follow_the_rule_exactly(db) -> None:
    # given charges of several categories on shared dates, partly and over paid, a category
    # whose first debit is dated after another's but posted before it, a paid-off account
    water, sewer, fee = codes.CATEGORY_WATER, codes.CATEGORY_SEWER, codes.CATEGORY_LATE_FEE
    irrigation = codes.CATEGORY_IRRIGATION
    jan, feb, mar = date(2025, 1, 15), date(2025, 2, 15), date(2025, 3, 15)
    busy = customer_account(first_name="Busy", last_name="Ledger")
    charge(busy, 3000, category=sewer, day=feb)  # sewer's first debit, before water's
    charge(busy, 5000, category=water, day=jan)
    charge(busy, 4000, category=water, day=feb)
    charge(busy, 700, category=fee, day=feb)
    charge(busy, 2500, category=water, day=mar)
    charge(busy, 2500, category=sewer, day=mar)
    charge(busy, 10000, category=irrigation, day=jan)
    _credit(busy, 6500, water, feb)  # all of January's water and part of February's
    _credit(busy, 1000, sewer, mar)
    paid_off = customer_account(first_name="Paid", last_name="Off")
    charge(paid_off, 4000, day=jan)
    _credit(paid_off, 4000, water, feb)
    in_credit = customer_account(first_name="In", last_name="Credit")
    charge(in_credit, 1000, category=sewer, day=jan)
    _credit(in_credit, 3000, sewer, feb)
    nothing = customer_account(first_name="No", last_name="Postings")
    # owing for longer than the recent debits read first: its older debits are read after
    behind = customer_account(first_name="Long", last_name="Behind")
    charge(behind, 1200, day=date(2024, 1, 15))
    charge(behind, 1300, day=date(2024, 6, 15))
    charge(behind, 1400, day=mar)
    _credit(behind, 500, water, feb)
    # one category on two receivable codes: read by the rule itself
    two_codes = customer_account(first_name="Two", last_name="Codes")
    charge(two_codes, 900, day=jan)
    _charge_on(two_codes, 600, codes.AR_OTHER, water, feb)
    accounts = [busy, paid_off, in_credit, nothing, behind, two_codes]

    # when open charges are computed in the database, in bulk and one account at a time
    many = open_charges_many([a.pk for a in accounts])

    # then they are the rule's charges in the rule's order, with the same ledger codes
    for account in accounts:
        expected = _by_the_rule(account)
        assert open_charges(account_id=account.pk) == expected
        assert many.get(account.pk, ([], {})) == expected
    charges, code_for = many[busy.pk]
    assert [(c.category, c.charge_date, c.amount_cents) for c in charges] == [
        (irrigation, jan, 10000),
        (water, feb, 2500),  # on one date: by each category's first debit (water's in Jan)
        (sewer, feb, 2000),
        (fee, feb, 700),
        (water, mar, 2500),
        (sewer, mar, 2500),
    ]
    assert code_for[water] == codes.AR_WATER
    assert all(isinstance(c.amount_cents, int) for c in charges)
    assert many[paid_off.pk] == ([], {water: codes.AR_WATER})
    assert nothing.pk not in many
    assert [(c.charge_date, c.amount_cents) for c in many[behind.pk][0]] == [
        (date(2024, 1, 15), 700), (date(2024, 6, 15), 1300), (mar, 1400),
    ]  # fmt: skip
    assert [c.amount_cents for c in many[two_codes.pk][0]] == [900, 600]


def _charge_on(account, cents: int, code: str, category: str, day: date) -> None:
    """A charge of `category` posted to receivable `code` (not the category's usual one)."""
    journal_entry_post(
        idempotency_key=f"test-charge-on:{next(_credit_keys)}",
        effective_date=day,
        source="bill",
        legs=[
            Leg(code, cents, account.pk, category),
            Leg(codes.REVENUE_FOR_CATEGORY[category], -cents),
        ],
        actor=staff_user(Role.FINANCE),
    )


def test_bulk_posted_items_carry_the_legs_a_single_post_would(csr2, maria, james) -> None:
    expected = {
        maria.pk: payment_legs(account_id=maria.pk, amount_cents=9000),
        james.pk: payment_legs(account_id=james.pk, amount_cents=7000),
    }
    data = lockbox_write([item(maria, 1, 9000), item(james, 2, 7000)])
    lockbox_import(data=data, filename="lb.csv", actor=csr2)
    for payment in Payment.objects.select_related("entry"):
        assert payment.status == Payment.Status.POSTED
        assert payment.entry.idempotency_key == f"payment:P{payment.pk}"
        legs = [
            (p.ledger_account.code, p.amount_cents, p.customer_account_id, p.charge_category)
            for p in payment.entry.postings.select_related("ledger_account").order_by("id")
        ]
        want = expected[payment.account_id]
        assert legs == [
            (g.account_code, g.amount_cents, g.customer_account_id, g.charge_category) for g in want
        ]
    assert_ledger_sound()


def test_two_items_for_one_account_apply_one_after_the_other(csr2, maria) -> None:
    data = lockbox_write([item(maria, 1, 8000), item(maria, 2, 6000)])
    lockbox_import(data=data, filename="lb.csv", actor=csr2)
    assert balance(maria) == 12000 - 14000
    assert Payment.objects.filter(status=Payment.Status.POSTED).count() == 2
    assert_ledger_sound()
