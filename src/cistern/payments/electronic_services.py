"""Electronic payments arriving through the JSON API (IVR, web portal processor, autopay).

The caller (an integration holding an API key) has already been paid by the processor; it
sends the account number, amount, tender and the processor's reference. The payment posts
at once. ``idempotency_key`` is unique per payment: the same key gives the same payment back
(the API layer also replays the first HTTP response and refuses a changed request).
Card details are only what the processor returned: reference, brand, last four, auth code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.models import Account
from cistern.payments.locks import accounts_lock
from cistern.payments.lookup import ACCOUNT_NOT_FOUND
from cistern.payments.models import Channel, Payment, Tender
from cistern.payments.posting import payment_post_entry

ELECTRONIC_CHANNELS = {Channel.WEB, Channel.IVR, Channel.PHONE, Channel.AUTOPAY}
ELECTRONIC_TENDERS = {Tender.CARD, Tender.ACH}
CHANNEL_INVALID = "channel must be one of: web, ivr, phone, autopay."
TENDER_INVALID = "tender must be card or ach."
AMOUNT_INVALID = "amount_cents must be a whole number of cents, more than 0 and at most 99999999."
REFERENCE_MISSING = "processor_reference is required: the processor's id for this payment."
LAST4_INVALID = "card_last4 must be exactly four digits (never send a card number)."
MAX_AMOUNT_CENTS = 99_999_999


@dataclass(frozen=True)
class ElectronicPayment:
    account_number: str
    amount_cents: int
    channel: str
    tender: str
    processor_reference: str
    card_brand: str = ""
    card_last4: str = ""
    auth_code: str = ""
    payer_name: str = ""


def _validate(p: ElectronicPayment) -> Account:
    if p.channel not in ELECTRONIC_CHANNELS:
        raise ServiceError(_(CHANNEL_INVALID), field="channel")
    if p.tender not in ELECTRONIC_TENDERS:
        raise ServiceError(_(TENDER_INVALID), field="tender")
    if not 0 < p.amount_cents <= MAX_AMOUNT_CENTS:
        raise ServiceError(_(AMOUNT_INVALID), field="amount_cents")
    if not p.processor_reference.strip():
        raise ServiceError(_(REFERENCE_MISSING), field="processor_reference")
    if p.card_last4 and not re.fullmatch(r"[0-9]{4}", p.card_last4):
        raise ServiceError(_(LAST4_INVALID), field="card_last4")
    account = Account.objects.filter(number=p.account_number.strip()).first()
    if account is None:
        raise ServiceError(
            _(ACCOUNT_NOT_FOUND).format(number=p.account_number), field="account_number"
        )
    return account


def payment_take_electronic(
    *, payment: ElectronicPayment, idempotency_key: str, actor: Any = None
) -> Payment:
    """Post an electronic payment, or return the one already posted under this key."""
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    account = _validate(payment)
    try:
        with transaction.atomic():
            accounts_lock([account.pk])
            record = Payment.objects.create(
                account=account, amount_cents=payment.amount_cents, tender=payment.tender,
                channel=payment.channel, received_on=timezone.localdate(),
                payer_name=payment.payer_name.strip()[:120],
                processor_reference=payment.processor_reference.strip()[:80],
                card_brand=payment.card_brand.strip()[:20], card_last4=payment.card_last4,
                auth_code=payment.auth_code.strip()[:20], idempotency_key=idempotency_key,
                created_by=actor, created_at=timezone.now(),
            )  # fmt: skip
            payment_post_entry(payment=record, source_ref=f"P{record.pk}", actor=actor)
            audit_record(
                actor=actor,
                action="payments.payment.electronic",
                subject=record,
                after={"amount_cents": record.amount_cents, "channel": record.channel,
                       "tender": record.tender, "reference": record.processor_reference},
                account_id=account.pk,
            )  # fmt: skip
            return record
    except IntegrityError:
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing
