"""Web card payments on the processor's hosted page: start a session, receive its outcome.

The flow (docs/reference/lockbox-and-payment-api.md "Web card payments"):

1. An integration (the portal, the web payment site) asks for a session for an account and
   amount (``hosted_payment_start``). Cistern records it as pending and returns the
   processor's page URL; the customer's browser goes there. Cistern never sees the card.
2. The processor notifies Cistern with a signed message (``hosted_notification_receive``).
   An approved charge posts one web card payment through ``payment_take_electronic``, keyed
   by the processor's charge reference, so a repeated or replayed notification, or a
   double-submitted page, posts it once. A decline posts nothing. A charge whose amount is
   not the session's, or a second charge on a paid session, is refunded and posts nothing.
3. The processor sends the browser back to the session's return address; the integration
   reads the outcome from ``GET /api/v1/hosted-payments/<session>``, never from the address.

A session nobody pays expires (its page refuses payment after ``expires_at``) and changes
nothing; a charge the processor did take before then still posts when its notification comes
late (the money was taken). Every outcome is in the audit trail.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.models import Account
from cistern.payments import config
from cistern.payments.electronic_services import (
    AMOUNT_INVALID,
    MAX_AMOUNT_CENTS,
    ElectronicPayment,
    payment_take_electronic,
)
from cistern.payments.hosted_models import HostedPayment
from cistern.payments.lookup import ACCOUNT_NOT_FOUND
from cistern.payments.models import Channel, Payment, Tender
from cistern.payments.processors import CardResult, NotificationRefused, card_processor

RETURN_URL_INVALID = (
    "return_url must be a full http or https address (at most 500 characters) to send the "
    "customer back to after paying."
)
SESSION_UNKNOWN = "No hosted payment has the session “{session}”."


class SessionUnknown(NotificationRefused):
    """A genuine notification about a session Cistern never started."""


@dataclass(frozen=True)
class HostedPaymentRequest:
    account_number: str
    amount_cents: int
    return_url: str
    payer_name: str = ""


@dataclass(frozen=True)
class NotificationOutcome:
    """What a notification did: ``paid``, ``duplicate``, ``declined``, ``refunded`` or
    ``ignored`` (a decline for a session already paid)."""

    status: str
    hosted_payment: HostedPayment
    payment: Payment | None = None


def _validate(request: HostedPaymentRequest) -> Account:
    if not 0 < request.amount_cents <= MAX_AMOUNT_CENTS:
        raise ServiceError(_(AMOUNT_INVALID), field="amount_cents")
    url = request.return_url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise ServiceError(_(RETURN_URL_INVALID), field="return_url")
    number = request.account_number.strip()
    account = Account.objects.filter(number=number).first()
    if account is None:
        raise ServiceError(_(ACCOUNT_NOT_FOUND).format(number=number), field="account_number")
    return account


def hosted_payment_start(
    *, request: HostedPaymentRequest, request_key: str, api_key: Any = None,
    now: datetime | None = None,
) -> HostedPayment:  # fmt: skip
    """Start a hosted page session, or return the one already started under ``request_key``."""
    existing = HostedPayment.objects.filter(request_key=request_key).first()
    if existing is not None:
        return existing
    account = _validate(request)
    now = now or timezone.now()
    expires_at = now + timedelta(minutes=config.hosted_payment_minutes())
    reference = f"HP{secrets.token_hex(8).upper()}"
    # Asked before the transaction: a real processor is a network call, and a session it
    # opened that Cistern then failed to record simply expires unused.
    session = card_processor().hosted_session_create(
        amount_cents=request.amount_cents, reference=reference,
        return_url=request.return_url.strip(), expires_at=expires_at,
    )  # fmt: skip
    with transaction.atomic():
        record = HostedPayment.objects.create(
            account=account, amount_cents=request.amount_cents, reference=reference,
            session_id=session.session_id, redirect_url=session.redirect_url,
            return_url=request.return_url.strip(), payer_name=request.payer_name.strip()[:120],
            request_key=request_key, api_key=api_key, created_at=now, expires_at=expires_at,
        )  # fmt: skip
        audit_record(
            actor=None, action="payments.hosted.start", subject=record,
            after={"amount_cents": record.amount_cents, "session": record.session_id,
                   "expires_at": expires_at.isoformat()},
            account_id=account.pk,
        )  # fmt: skip
    return record


def hosted_notification_receive(
    *, body: bytes, headers: Mapping[str, str], now: datetime | None = None
) -> NotificationOutcome:
    """Verify a processor notification and act on it once; raise ``NotificationRefused``."""
    notification = card_processor().hosted_notification_verify(
        body=body, headers=headers, now=now or timezone.now()
    )
    result = notification.result
    with transaction.atomic():
        record = (
            HostedPayment.objects.select_for_update()
            .filter(session_id=notification.session_id)
            .first()
        )
        if record is None:
            raise SessionUnknown(SESSION_UNKNOWN.format(session=notification.session_id))
        if not result.approved:
            return _declined(record, result)
        if record.status == HostedPayment.Status.PAID:
            if record.processor_reference == result.reference:
                return NotificationOutcome("duplicate", record, record.payment)
            return _refund(record, result, "payments.hosted.second_charge_refunded")
        if result.amount_cents != record.amount_cents:
            return _refund(record, result, "payments.hosted.amount_mismatch_refunded")
        return _paid(record, result)


def _paid(record: HostedPayment, result: CardResult) -> NotificationOutcome:
    payment = payment_take_electronic(
        payment=ElectronicPayment(
            account_number=record.account.number, amount_cents=record.amount_cents,
            channel=Channel.WEB, tender=Tender.CARD, processor_reference=result.reference,
            card_brand=result.brand, card_last4=result.last4, auth_code=result.auth_code,
            payer_name=record.payer_name,
        ),
        idempotency_key=f"hosted:{result.reference}",
    )  # fmt: skip
    record.status = HostedPayment.Status.PAID
    record.payment = payment
    record.processor_reference = result.reference[:80]
    record.card_brand = result.brand[:20]
    record.card_last4 = result.last4
    record.auth_code = result.auth_code[:20]
    record.paid_at = timezone.now()
    record.save()
    audit_record(
        actor=None, action="payments.hosted.paid", subject=record,
        before={"status": "pending"},
        after={"status": "paid", "payment_id": payment.pk, "reference": result.reference,
               "brand": result.brand, "last4": result.last4},
        account_id=record.account_id,
    )  # fmt: skip
    return NotificationOutcome("paid", record, payment)


def _declined(record: HostedPayment, result: CardResult) -> NotificationOutcome:
    if record.status == HostedPayment.Status.PAID:
        return NotificationOutcome("ignored", record, record.payment)
    record.decline_count += 1
    record.last_decline_reason = result.decline_reason[:200]
    record.save(update_fields=["decline_count", "last_decline_reason"])
    audit_record(
        actor=None, action="payments.hosted.declined", subject=record,
        after={"reason": result.decline_reason, "declines": record.decline_count},
        account_id=record.account_id,
    )  # fmt: skip
    return NotificationOutcome("declined", record)


def _refund(record: HostedPayment, result: CardResult, action: str) -> NotificationOutcome:
    """Give back a charge Cistern will not post (wrong amount, or a second charge)."""
    refund = card_processor().refund(reference=result.reference, amount_cents=result.amount_cents)
    audit_record(
        actor=None, action=action, subject=record,
        after={"charged_cents": result.amount_cents, "session_cents": record.amount_cents,
               "reference": result.reference, "refund": refund.reference,
               "refund_approved": refund.approved},
        account_id=record.account_id,
    )  # fmt: skip
    return NotificationOutcome("refunded", record, record.payment)
