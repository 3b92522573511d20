"""Returned payments: a check or ACH debit the bank sent back.

Rules (issue 4 §4; reference/payments.md "Returned checks"; domain/returns.py):
- the payment's entry is reversed by a linked reversing entry (dated the return date);
- the returned-payment fee from the fee schedule (``cistern.rates.fees``, code
  ``returned_payment``) is charged to the account (AR fees / fee revenue); if the schedule
  has no row in force, the default of ``CISTERN_RETURNED_PAYMENT_FEE_CENTS`` is used;
- a letter to the customer is rendered (in their language) and kept with the return;
- when the counted returns in the last 12 months reach ``CISTERN_CASH_ONLY_RETURN_THRESHOLD``
  (default 2), the account is flagged cash only, and the counter then refuses checks.
A payment is returned at most once (one-to-one), and only a posted check, money order or ACH.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.core.money import format_cents
from cistern.core.selectors import district_settings_get
from cistern.customers.models import FlagKind
from cistern.ledger import codes
from cistern.ledger.selectors import account_balance_cents
from cistern.ledger.services import Leg, journal_entry_post
from cistern.payments import config
from cistern.payments.domain import (
    CheckReturnReason,
    PaymentRuleError,
    ach_return_reason,
    cash_only_due,
    returns_in_last_12_months,
)
from cistern.payments.locks import accounts_lock
from cistern.payments.lookup import cash_only_flag
from cistern.payments.models import Payment, PaymentReturn, Tender
from cistern.payments.posting import payment_reverse_entry

RETURNABLE_TENDERS = {Tender.CHECK, Tender.MONEY_ORDER, Tender.ACH}
RETURN_NOT_POSTED = "Only a posted payment can be returned (this one is {status})."
RETURN_TENDER = "Only a check, money order or ACH payment can come back from the bank."
RETURN_BEFORE_PAYMENT = "The return date cannot be before the payment was received ({day})."
RETURN_IN_FUTURE = "The return date cannot be in the future."
CASH_ONLY_NOTE = "{count} returned payments in 12 months"


def return_reason(code: str, tender: str) -> tuple[str, str, bool]:
    """(stored code, label, counts toward cash-only) for a check reason or an ACH R-code."""
    cleaned = (code or "").strip()
    if cleaned.lower() in CheckReturnReason.__members__.values():
        reason = CheckReturnReason(cleaned.lower())
        return reason.value, reason.label, True
    try:
        ach = ach_return_reason(cleaned)
    except PaymentRuleError as exc:
        raise ServiceError(_(exc.message), field="reason_code") from exc
    return ach.code, ach.title, ach.counts_toward_cash_only


def returned_payment_fee_cents(*, as_of: date) -> int:
    try:
        from cistern.rates.fees import RETURNED_PAYMENT, fee_amount_cents
    except ImportError:  # the fee schedule is not installed: the configured default
        return config.returned_payment_fee_default_cents()
    try:
        return fee_amount_cents(code=RETURNED_PAYMENT, as_of=as_of)
    except ServiceError:
        return config.returned_payment_fee_default_cents()


def _check_returnable(payment: Payment, returned_on: date) -> None:
    if payment.status != Payment.Status.POSTED:
        raise ServiceError(_(RETURN_NOT_POSTED).format(status=payment.get_status_display()))
    if payment.tender not in RETURNABLE_TENDERS:
        raise ServiceError(_(RETURN_TENDER), field="payment")
    if returned_on < payment.received_on:
        raise ServiceError(
            _(RETURN_BEFORE_PAYMENT).format(day=payment.received_on.isoformat()),
            field="returned_on",
        )
    if returned_on > timezone.localdate():
        raise ServiceError(_(RETURN_IN_FUTURE), field="returned_on")


def payment_return(
    *, payment_id: int, reason_code: str, returned_on: date, actor: Any
) -> PaymentReturn:
    """Record a returned payment: reverse it, charge the fee, write the letter, maybe cash-only."""
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("entry")
            .get(pk=payment_id)
        )
        _check_returnable(payment, returned_on)
        code, label, counts = return_reason(reason_code, payment.tender)
        accounts_lock([payment.account_id])
        reversal = payment_reverse_entry(
            payment=payment, effective_date=returned_on,
            reason=f"Returned payment P{payment.pk}: {code} {label}"[:300],
            status=Payment.Status.RETURNED, actor=actor,
        )  # fmt: skip
        fee = returned_payment_fee_cents(as_of=returned_on)
        record = PaymentReturn.objects.create(
            payment=payment, reason_code=code, returned_on=returned_on,
            counts_toward_cash_only=counts, reversing_entry=reversal, fee_cents=fee,
            fee_entry=_post_fee(payment, fee, returned_on, actor),
            recorded_by=actor, recorded_at=timezone.now(),
        )  # fmt: skip
        record.cash_only_set = _cash_only_if_due(payment, returned_on, actor)
        record.letter_html = _letter(record, label)
        record.save(update_fields=["cash_only_set", "letter_html"])
        audit_record(
            actor=actor,
            action="payments.payment.return",
            subject=payment,
            before={"status": "posted"},
            after={"status": "returned", "reason": code, "fee_cents": fee,
                   "cash_only_set": record.cash_only_set},
            account_id=payment.account_id,
        )  # fmt: skip
    return record


def _post_fee(payment: Payment, fee: int, returned_on: date, actor: Any) -> Any:
    if fee <= 0:
        return None
    return journal_entry_post(
        idempotency_key=f"return:P{payment.pk}:fee",
        effective_date=returned_on,
        source="fee",
        source_ref=f"P{payment.pk}",
        memo="Returned payment fee",
        legs=[
            Leg(codes.AR_FEES, fee, payment.account_id, codes.CATEGORY_RETURNED_PAYMENT_FEE),
            Leg(codes.FEE_RETURNED_PAYMENT, -fee),
        ],
        actor=actor,
    )


def _cash_only_if_due(payment: Payment, returned_on: date, actor: Any) -> bool:
    dates = PaymentReturn.objects.filter(
        payment__account_id=payment.account_id, counts_toward_cash_only=True
    ).values_list("returned_on", flat=True)
    count = returns_in_last_12_months(dates, as_of=returned_on)
    if not cash_only_due(count, config.cash_only_threshold()):
        return False
    if cash_only_flag(account_id=payment.account_id) is not None:
        return False
    from cistern.customers.services.flags import account_flag_set

    account_flag_set(
        account_id=payment.account_id,
        kind=FlagKind.CASH_ONLY,
        actor=actor,
        note=CASH_ONLY_NOTE.format(count=count),
        reason=_("Returned payments reached the district's limit."),
    )
    return True


def _letter(record: PaymentReturn, label: str) -> str:
    payment = record.payment
    account = payment.account
    customer = account.customer
    with translation.override(customer.preferred_language):
        return render_to_string(
            "payments/letters/returned_payment.html",
            {
                "district": district_settings_get(),
                "today": timezone.localdate(),
                "customer": customer,
                "account": account,
                "payment": payment,
                "amount": format_cents(payment.amount_cents),
                "reason": label,
                "fee": format_cents(record.fee_cents) if record.fee_cents else "",
                "cash_only": record.cash_only_set,
                "balance": format_cents(account_balance_cents(account_id=account.pk)),
            },
        )
