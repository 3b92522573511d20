"""Reads for the cashiering screens: the cashier's drawer, receipts, approvals, batches."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cistern.payments.models import DrawerSession, Payment, PaymentBatch, PaymentReturn, Receipt


def drawer_current(*, cashier: Any) -> DrawerSession | None:
    """The cashier's drawer that is open or counted (awaiting approval), if any."""
    return (
        DrawerSession.objects.filter(cashier=cashier, status__in=["open", "counted"])
        .order_by("-opened_at")
        .first()
    )


def drawer_receipts(*, drawer: DrawerSession) -> QuerySet[Receipt]:
    return drawer.receipts.select_related("voided_by").prefetch_related("payments__account")


def drawers_awaiting_approval() -> QuerySet[DrawerSession]:
    return DrawerSession.objects.filter(status=DrawerSession.Status.COUNTED).select_related(
        "cashier"
    )


def receipt_get(*, receipt_id: int) -> Receipt | None:
    return (
        Receipt.objects.select_related("cashier", "drawer", "voided_by")
        .prefetch_related("payments__account__customer", "payments__account__premise")
        .filter(pk=receipt_id)
        .first()
    )


def batch_list(*, limit: int = 50) -> list[PaymentBatch]:
    return list(PaymentBatch.objects.select_related("opened_by")[:limit])


def batch_get(*, batch_id: int) -> PaymentBatch | None:
    return PaymentBatch.objects.select_related("opened_by", "posted_by").filter(pk=batch_id).first()


def payments_recent(*, limit: int = 25) -> list[Payment]:
    return list(Payment.objects.select_related("account", "receipt")[:limit])


def returns_recent(*, limit: int = 25) -> list[PaymentReturn]:
    return list(PaymentReturn.objects.select_related("payment__account", "recorded_by")[:limit])
