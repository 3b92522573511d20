"""Payment batches: open -> closed -> posted, control totals, immutability once posted."""

from __future__ import annotations

import re

import pytest

from cistern.core.errors import ServiceError
from cistern.payments import batch_services as B
from cistern.payments.models import Payment, PaymentBatch
from cistern.payments.services import (
    batch_close,
    batch_item_add,
    batch_item_remove,
    batch_open,
    batch_post,
    batch_reopen,
)
from tests.integration.payments.conftest import assert_ledger_sound, balance

pytestmark = pytest.mark.django_db


def add(batch, account, cents, actor, **kw) -> Payment:
    return batch_item_add(
        batch_id=batch.pk, account=account.number, amount_cents=cents, tender="check",
        check_number=kw.pop("check_number", "100"), actor=actor, **kw,
    )  # fmt: skip


def test_a_batch_that_matches_its_controls_posts_every_item(csr2, maria, james) -> None:
    # given a mail batch declaring 2 items for $170.00
    batch = batch_open(channel="mail", control_count=2, control_amount_cents=17000, actor=csr2)
    add(batch, maria, 12000, csr2)
    add(batch, james, 5000, csr2)
    # when it is closed and posted
    batch_close(batch_id=batch.pk, actor=csr2)
    posted = batch_post(batch_id=batch.pk, actor=csr2)
    # then both payments posted and both accounts are paid
    assert posted.status == PaymentBatch.Status.POSTED
    assert set(posted.payments.values_list("status", flat=True)) == {"posted"}
    assert balance(maria) == 0 and balance(james) == 0
    assert_ledger_sound()


def test_a_batch_out_of_balance_cannot_close_or_post(csr2, maria) -> None:
    batch = batch_open(channel="drop_box", control_count=2, control_amount_cents=17000, actor=csr2)
    add(batch, maria, 12000, csr2)
    with pytest.raises(ServiceError) as refused:
        batch_close(batch_id=batch.pk, actor=csr2)
    assert "declares 2 items but 1 were entered" in refused.value.message
    with pytest.raises(ServiceError):
        batch_post(batch_id=batch.pk, actor=csr2)
    assert balance(maria) == 12000


def test_a_removed_item_no_longer_counts(csr2, maria, james) -> None:
    batch = batch_open(channel="mail", control_count=1, control_amount_cents=5000, actor=csr2)
    wrong = add(batch, maria, 12000, csr2)
    add(batch, james, 5000, csr2)
    batch_item_remove(payment_id=wrong.pk, actor=csr2)
    batch_close(batch_id=batch.pk, actor=csr2)
    batch_post(batch_id=batch.pk, actor=csr2)
    assert Payment.objects.get(pk=wrong.pk).status == Payment.Status.REMOVED
    assert balance(maria) == 12000 and balance(james) == 0


def test_a_closed_batch_takes_no_items_until_reopened(csr2, maria) -> None:
    batch = batch_open(channel="phone", control_count=1, control_amount_cents=100, actor=csr2)
    add(batch, maria, 100, csr2)
    batch_close(batch_id=batch.pk, actor=csr2)
    with pytest.raises(ServiceError):
        add(batch, maria, 100, csr2)
    batch_reopen(batch_id=batch.pk, actor=csr2)
    add(batch, maria, 100, csr2)
    with pytest.raises(ServiceError):
        batch_close(batch_id=batch.pk, actor=csr2)


def test_a_posted_batch_is_immutable(csr2, maria) -> None:
    batch = batch_open(channel="mail", control_count=1, control_amount_cents=100, actor=csr2)
    item = add(batch, maria, 100, csr2)
    batch_close(batch_id=batch.pk, actor=csr2)
    batch_post(batch_id=batch.pk, actor=csr2)
    for attempt in (
        lambda: add(batch, maria, 100, csr2),
        lambda: batch_item_remove(payment_id=item.pk, actor=csr2),
        lambda: batch_reopen(batch_id=batch.pk, actor=csr2),
        lambda: batch_post(batch_id=batch.pk, actor=csr2),
    ):
        with pytest.raises(ServiceError):
            attempt()
    assert Payment.objects.filter(status="posted").count() == 1


def test_bad_batch_controls_and_channels_are_refused(csr2) -> None:
    with pytest.raises(ServiceError, match=B.BATCH_CHANNEL_INVALID):
        batch_open(channel="counter", control_count=1, control_amount_cents=1, actor=csr2)
    with pytest.raises(ServiceError, match=re.escape(B.BATCH_CONTROL_INVALID)):
        batch_open(channel="mail", control_count=0, control_amount_cents=1, actor=csr2)
    assert not PaymentBatch.objects.exists()
