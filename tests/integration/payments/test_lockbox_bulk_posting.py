"""Lockbox items post through the ledger's bulk path with the same legs as one at a time."""

from __future__ import annotations

import pytest

from cistern.payments.domain import lockbox_write
from cistern.payments.lockbox_posting import open_charges_many
from cistern.payments.models import Payment
from cistern.payments.posting import open_charges, payment_legs
from cistern.payments.services import lockbox_import
from tests.integration.payments.conftest import assert_ledger_sound, balance
from tests.integration.payments.test_lockbox_import import item

pytestmark = pytest.mark.django_db


def test_open_charges_read_in_bulk_equal_those_read_one_account_at_a_time(maria, james) -> None:
    many = open_charges_many([maria.pk, james.pk])
    assert many[maria.pk] == open_charges(account_id=maria.pk)
    assert many[james.pk] == open_charges(account_id=james.pk)


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
