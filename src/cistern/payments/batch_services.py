"""Payment batches: mail, drop-box and phone payments entered against control totals.

States: open -> closed -> posted (closed may be reopened; posted is final and immutable).
Rules (reference/payments.md "Cash controls"; domain/batch.py): the batch declares a control
count and amount before entry; items are added and removed only while it is open; it closes
and posts only when its items match the control figures; posting writes one journal entry
per item, in one transaction (all or nothing).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.payments.domain import PaymentRuleError, batch_check
from cistern.payments.locks import accounts_lock, batch_lock
from cistern.payments.lookup import account_find_for_payment, cash_only_flag
from cistern.payments.models import Channel, Payment, PaymentBatch, Tender
from cistern.payments.posting import payment_post_entry

BATCH_CHANNELS = {Channel.MAIL, Channel.DROP_BOX, Channel.PHONE}
BATCH_TENDERS = {Tender.CHECK, Tender.MONEY_ORDER, Tender.CASH, Tender.CARD}

BATCH_CHANNEL_INVALID = "Choose the batch's channel: mail, drop box or phone."
BATCH_CONTROL_INVALID = "Enter the control count (at least 1) and the control amount (more than 0)."
BATCH_NOT_OPEN = "Batch {batch} is {status}; items can be changed only while it is open."
BATCH_NOT_CLOSED = "Batch {batch} must be closed (balanced) before it posts."
BATCH_OUT_OF_BALANCE = "Batch {batch} does not match its control totals: {problems}"
BATCH_ITEM_TENDER_INVALID = "Choose the item's tender: check, money order, cash or card."
BATCH_ITEM_AMOUNT_INVALID = "The item's amount must be more than zero."
BATCH_ITEM_NOT_PENDING = "That item is not a pending item of an open batch."
BATCH_CASH_ONLY = "Account {number} is cash only: checks are not accepted. Return the check."


def batch_open(
    *, channel: str, control_count: int, control_amount_cents: int, actor: Any
) -> PaymentBatch:
    if channel not in BATCH_CHANNELS:
        raise ServiceError(_(BATCH_CHANNEL_INVALID), field="channel")
    if control_count < 1 or control_amount_cents <= 0:
        raise ServiceError(_(BATCH_CONTROL_INVALID), field="control_count")
    with transaction.atomic():
        batch = PaymentBatch.objects.create(
            channel=channel,
            business_date=timezone.localdate(),
            control_count=control_count,
            control_amount_cents=control_amount_cents,
            opened_by=actor,
            opened_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="payments.batch.open",
            subject=batch,
            after={"channel": channel, "control_count": control_count,
                   "control_amount_cents": control_amount_cents},
        )  # fmt: skip
    return batch


def _require_open(batch: PaymentBatch) -> None:
    if batch.status != PaymentBatch.Status.OPEN:
        raise ServiceError(
            _(BATCH_NOT_OPEN).format(batch=batch, status=batch.get_status_display().lower())
        )


def batch_item_add(
    *,
    batch_id: int,
    account: str,
    amount_cents: int,
    tender: str,
    actor: Any,
    check_number: str = "",
    payer_name: str = "",
) -> Payment:
    """Add one payment to an open batch (pending until the batch posts)."""
    if tender not in BATCH_TENDERS:
        raise ServiceError(_(BATCH_ITEM_TENDER_INVALID), field="tender")
    if amount_cents <= 0:
        raise ServiceError(_(BATCH_ITEM_AMOUNT_INVALID), field="amount")
    found = account_find_for_payment(text=account)
    if tender == Tender.CHECK and cash_only_flag(account_id=found.account.pk):
        raise ServiceError(_(BATCH_CASH_ONLY).format(number=found.account.number), field="tender")
    with transaction.atomic():
        batch = batch_lock(batch_id)
        _require_open(batch)
        payment = Payment.objects.create(
            batch=batch,
            account=found.account,
            amount_cents=amount_cents,
            tender=tender,
            channel=batch.channel,
            received_on=batch.business_date,
            payer_name=payer_name.strip()[:120],
            check_number=check_number.strip()[:15],
            idempotency_key=f"batch:{batch.pk}:{uuid.uuid4().hex}",
            created_by=actor,
            created_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="payments.batch.item_add",
            subject=payment,
            after={"batch": batch.pk, "amount_cents": amount_cents, "tender": tender},
            account_id=found.account.pk,
        )
    return payment


def batch_item_remove(*, payment_id: int, actor: Any) -> Payment:
    """Take a pending item out of its open batch (kept on file as removed)."""
    with transaction.atomic():
        batch_id = Payment.objects.values_list("batch_id", flat=True).filter(pk=payment_id).first()
        if batch_id is None:
            raise ServiceError(_(BATCH_ITEM_NOT_PENDING))
        batch = batch_lock(batch_id)
        _require_open(batch)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != Payment.Status.PENDING:
            raise ServiceError(_(BATCH_ITEM_NOT_PENDING))
        payment.status = Payment.Status.REMOVED
        payment.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="payments.batch.item_remove",
            subject=payment,
            before={"status": "pending"},
            after={"status": "removed"},
            account_id=payment.account_id,
        )
    return payment


def batch_items(batch: PaymentBatch) -> list[Payment]:
    return list(batch.payments.exclude(status=Payment.Status.REMOVED).order_by("pk"))


def _require_balanced(batch: PaymentBatch) -> list[Payment]:
    items = batch_items(batch)
    try:
        check = batch_check(
            batch.control_count, batch.control_amount_cents, [p.amount_cents for p in items]
        )
    except PaymentRuleError as exc:
        raise ServiceError(_(exc.message)) from exc
    if not check.matches:
        problems = " ".join(_(p) for p in check.problems())
        raise ServiceError(_(BATCH_OUT_OF_BALANCE).format(batch=batch, problems=problems))
    return items


def batch_close(*, batch_id: int, actor: Any) -> PaymentBatch:
    """Close an open batch whose items match its control totals."""
    return _move(batch_id, actor, PaymentBatch.Status.OPEN, PaymentBatch.Status.CLOSED, True)


def batch_reopen(*, batch_id: int, actor: Any) -> PaymentBatch:
    """Reopen a closed (not posted) batch to correct its items."""
    return _move(batch_id, actor, PaymentBatch.Status.CLOSED, PaymentBatch.Status.OPEN, False)


def _move(batch_id: int, actor: Any, source: str, target: str, balanced: bool) -> PaymentBatch:
    with transaction.atomic():
        batch = batch_lock(batch_id)
        if batch.status != source:
            message = BATCH_NOT_OPEN if source == PaymentBatch.Status.OPEN else BATCH_NOT_CLOSED
            raise ServiceError(
                _(message).format(batch=batch, status=batch.get_status_display().lower())
            )
        if balanced:
            _require_balanced(batch)
        batch.status = target
        batch.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=f"payments.batch.{'close' if target == 'closed' else 'reopen'}",
            subject=batch,
            before={"status": source},
            after={"status": target},
        )
    return batch


def batch_post(*, batch_id: int, actor: Any) -> PaymentBatch:
    """Post every item of a closed, balanced batch to the ledger; the batch becomes immutable."""
    with transaction.atomic():
        batch = batch_lock(batch_id)
        if batch.status != PaymentBatch.Status.CLOSED:
            raise ServiceError(_(BATCH_NOT_CLOSED).format(batch=batch))
        items = _require_balanced(batch)
        accounts_lock(p.account_id for p in items)
        for payment in items:
            payment_post_entry(payment=payment, source_ref=f"B{batch.pk}", actor=actor)
        batch.status = PaymentBatch.Status.POSTED
        batch.posted_by = actor
        batch.posted_at = timezone.now()
        batch.save(update_fields=["status", "posted_by", "posted_at"])
        audit_record(
            actor=actor,
            action="payments.batch.post",
            subject=batch,
            before={"status": "closed"},
            after={"status": "posted", "items": len(items)},
        )
    return batch
