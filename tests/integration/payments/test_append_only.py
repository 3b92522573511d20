"""On PostgreSQL the database itself refuses to delete payment records or rewrite them."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from cistern.payments.models import Payment, PaymentBatch, Receipt
from cistern.payments.services import (
    CounterShare,
    CounterTender,
    batch_close,
    batch_item_add,
    batch_open,
    batch_post,
    payment_take_at_counter,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def refused(action) -> bool:
    try:
        with transaction.atomic():
            action()
    except DatabaseError:
        return True
    return False


def test_receipts_and_payments_cannot_be_deleted_or_rewritten(drawer, cashier, maria) -> None:
    receipt = payment_take_at_counter(
        drawer_id=drawer.pk, shares=[CounterShare(maria.number, 500)],
        tender=CounterTender("cash", 500), idempotency_key="ao", actor=cashier,
    )  # fmt: skip
    payment = receipt.payments.get()
    assert refused(lambda: Receipt.objects.filter(pk=receipt.pk).delete())
    assert refused(lambda: Receipt.objects.filter(pk=receipt.pk).update(total_cents=1))
    assert refused(lambda: Payment.objects.filter(pk=payment.pk).update(amount_cents=1))
    assert refused(lambda: Payment.objects.filter(pk=payment.pk).update(entry=None))
    assert not refused(lambda: Receipt.objects.filter(pk=receipt.pk).update(print_count=2))


def test_a_posted_batch_cannot_be_changed(csr2, maria) -> None:
    batch = batch_open(channel="mail", control_count=1, control_amount_cents=100, actor=csr2)
    batch_item_add(batch_id=batch.pk, account=maria.number, amount_cents=100, tender="check",
                   actor=csr2)  # fmt: skip
    batch_close(batch_id=batch.pk, actor=csr2)
    batch_post(batch_id=batch.pk, actor=csr2)
    assert refused(lambda: PaymentBatch.objects.filter(pk=batch.pk).update(control_count=9))
