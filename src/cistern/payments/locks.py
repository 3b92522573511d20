"""Row locks for the payment services, always taken in one order to avoid deadlocks:
drawer or batch first, then receipts, then customer accounts in id order."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from cistern.core.errors import ServiceError
from cistern.customers.models import Account
from cistern.payments.models import DrawerSession, PaymentBatch, Receipt

DRAWER_NOT_FOUND = "That drawer session does not exist. Open the cashiering page again."
BATCH_NOT_FOUND = "That batch does not exist. Open the batch list again."
RECEIPT_NOT_FOUND = "That receipt does not exist. Check the receipt number."


def drawer_lock(drawer_id: int) -> DrawerSession:
    drawer = DrawerSession.objects.select_for_update().filter(pk=drawer_id).first()
    if drawer is None:
        raise ServiceError(_(DRAWER_NOT_FOUND))
    return drawer


def batch_lock(batch_id: int) -> PaymentBatch:
    batch = PaymentBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise ServiceError(_(BATCH_NOT_FOUND))
    return batch


def receipt_lock(receipt_id: int) -> Receipt:
    receipt = Receipt.objects.select_for_update().filter(pk=receipt_id).first()
    if receipt is None:
        raise ServiceError(_(RECEIPT_NOT_FOUND))
    return receipt


def accounts_lock(account_ids: Iterable[int]) -> dict[int, Account]:
    """Lock the customer accounts in id order (the ledger locks in the same order)."""
    wanted = sorted(set(account_ids))
    rows = Account.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
    return {a.pk: a for a in rows}
