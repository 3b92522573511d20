"""The counter: take a payment on a receipt, void a receipt, reverse a payment after close.

Rules (issue 4 §1; reference/payments.md):
- a receipt takes the next number of the gapless ``receipt`` sequence inside the same
  transaction as its payments and ledger entries, so a failure gives the number back;
- one tender may pay several accounts (explicit amounts that add up to the total); cash
  gives change (tendered - total), other tenders must equal the total (more than an account
  owes becomes its credit); a cash-only account may not pay by check;
- a card is charged through the processor before the transaction; if posting then fails
  the charge is refunded. Only the processor's reference, brand, last four and auth code
  are kept;
- the form's idempotency key makes a double submit give the first receipt back;
- a void: same business day, drawer still open, by a CSR Senior or Manager who is not the
  cashier, with a reason; each payment's entry is reversed; the number stays, marked void.
  Once the drawer is counted, a payment is corrected only by ``payment_reverse``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.core.numbering import sequence_next
from cistern.payments.domain import PaymentRuleError, change_due, payment_split
from cistern.payments.domain import Tender as DomainTender
from cistern.payments.locks import accounts_lock, drawer_lock, receipt_lock
from cistern.payments.lookup import FoundAccount, account_find_for_payment, cash_only_flag
from cistern.payments.models import Channel, DrawerSession, Payment, Receipt, Tender
from cistern.payments.posting import payment_post_entry, payment_reverse_entry
from cistern.payments.processors import CardResult, card_processor
from cistern.staff.permissions import Action, can

RECEIPT_SEQUENCE = "receipt"
COUNTER_TENDERS = {Tender.CASH, Tender.CHECK, Tender.MONEY_ORDER, Tender.CARD}

TENDER_INVALID = "Choose how the customer is paying: cash, check, money order or card."
TENDER_NOT_TOTAL = (
    "A {tender} must be for exactly the total applied to the accounts ({total}); "
    "change the amounts so they add up to it."
)
CHECK_NUMBER_MISSING = "Enter the check number."
CARD_TOKEN_MISSING = "Swipe or insert the card at the terminal first."  # noqa: S105
CASH_ONLY_REFUSES_CHECK = (
    "Account {number} is cash only since {since} ({note}): checks are not accepted. "
    "Ask for cash, a money order or a card."
)
DUPLICATE_ACCOUNT = "Account {number} is listed twice; enter one amount per account."
DRAWER_NOT_OPEN_FOR_PAYMENT = "Open your drawer before taking payments."
DRAWER_NOT_YOURS_FOR_PAYMENT = "This is not your drawer; take payments in your own drawer."
VOID_ROLE = "Only a CSR Senior or a Manager may void a receipt."
VOID_OWN_RECEIPT = "You cannot void a receipt you issued; ask another supervisor."
VOID_REASON_MISSING = "Give the reason for the void."
VOID_ALREADY = "Receipt {number} is already void."
VOID_NOT_SAME_DAY = (
    "Receipt {number} was issued on {day}; a receipt can be voided only on the day it was "
    "issued. Reverse the payment instead."
)
VOID_DRAWER_NOT_OPEN = (
    "The drawer of receipt {number} is no longer open; reverse the payment instead of voiding."
)
VOID_PAYMENT_NOT_POSTED = (
    "A payment on receipt {number} was already reversed or returned; it cannot be voided."
)
REVERSE_ROLE = "Only a CSR Senior or a Manager may reverse a payment."
REVERSE_NOT_POSTED = "Only a posted payment can be reversed (this one is {status})."
REVERSE_VOID_INSTEAD = "The drawer is still open: void receipt {number} instead of reversing."


@dataclass(frozen=True)
class CounterShare:
    """One account paid by the tender: ``account`` is an account number or a scan line."""

    account: str
    amount_cents: int


@dataclass(frozen=True)
class CounterTender:
    tender: str
    tendered_cents: int
    check_number: str = ""
    check_bank: str = ""
    card_token: str = ""  # from the terminal; never a card number


def _resolve(shares: Sequence[CounterShare]) -> list[tuple[FoundAccount, int]]:
    found = [
        (account_find_for_payment(text=s.account, field=f"account_{i}"), s.amount_cents)
        for i, s in enumerate(shares)
    ]
    total = sum(amount for _, amount in found)
    try:
        payment_split(tendered_cents=total, shares=[(f.account.number, a) for f, a in found])
    except PaymentRuleError as exc:
        raise ServiceError(_(exc.message), field="amount") from exc
    return found


def _change(tender: CounterTender, total: int) -> int:
    if tender.tender not in COUNTER_TENDERS:
        raise ServiceError(_(TENDER_INVALID), field="tender")
    if tender.tender != Tender.CASH and tender.tendered_cents != total:
        label = Tender(tender.tender).label
        raise ServiceError(
            _(TENDER_NOT_TOTAL).format(tender=label, total=f"${total / 100:,.2f}"),
            field="tendered",
        )
    try:
        return change_due(
            tender=DomainTender(tender.tender),
            amount_due_cents=total,
            amount_tendered_cents=tender.tendered_cents,
        )
    except PaymentRuleError as exc:
        raise ServiceError(_(exc.message), field="tendered") from exc


def _check_tender_allowed(tender: CounterTender, found: list[tuple[FoundAccount, int]]) -> None:
    if tender.tender == Tender.CHECK:
        if not tender.check_number.strip():
            raise ServiceError(_(CHECK_NUMBER_MISSING), field="check_number")
        for f, _amount in found:
            flag = cash_only_flag(account_id=f.account.pk)
            if flag is not None:
                raise ServiceError(
                    _(CASH_ONLY_REFUSES_CHECK).format(
                        number=f.account.number, since=flag.set_on, note=flag.note or "-"
                    ),
                    field="tender",
                )
    if tender.tender == Tender.CARD and not tender.card_token.strip():
        raise ServiceError(_(CARD_TOKEN_MISSING), field="card_token")


def payment_take_at_counter(
    *,
    drawer_id: int,
    shares: Sequence[CounterShare],
    tender: CounterTender,
    idempotency_key: str,
    actor: Any,
    payer_name: str = "",
) -> Receipt:
    """Take one tender for one or more accounts; return the receipt (the first, on replay)."""
    replay = Receipt.objects.filter(idempotency_key=idempotency_key).first()
    if replay is not None:
        return replay
    found = _resolve(shares)
    total = sum(amount for _, amount in found)
    change = _change(tender, total)
    _check_tender_allowed(tender, found)
    _check_drawer(DrawerSession.objects.filter(pk=drawer_id).first(), actor)  # before any charge
    card = _charge_card(tender, total, idempotency_key)
    try:
        return _record(drawer_id, found, tender, card, change, idempotency_key, payer_name, actor)
    except IntegrityError:
        replay = Receipt.objects.filter(idempotency_key=idempotency_key).first()
        if replay is None:
            _refund(card)
            raise
        return replay
    except Exception:
        _refund(card)
        raise


def _check_drawer(drawer: DrawerSession | None, actor: Any) -> None:
    if drawer is None or drawer.status != DrawerSession.Status.OPEN:
        raise ServiceError(_(DRAWER_NOT_OPEN_FOR_PAYMENT))
    if drawer.cashier_id != actor.pk:
        raise ServiceError(_(DRAWER_NOT_YOURS_FOR_PAYMENT))


def _charge_card(tender: CounterTender, total: int, reference: str) -> CardResult | None:
    if tender.tender != Tender.CARD:
        return None
    result = card_processor().terminal_charge(
        token=tender.card_token.strip(), amount_cents=total, reference=reference
    )
    if not result.approved:
        raise ServiceError(_(result.decline_reason), field="card_token")
    return result


def _refund(card: CardResult | None) -> None:
    if card is not None:
        card_processor().refund(reference=card.reference, amount_cents=card.amount_cents)


def _record(
    drawer_id: int,
    found: list[tuple[FoundAccount, int]],
    tender: CounterTender,
    card: CardResult | None,
    change: int,
    idempotency_key: str,
    payer_name: str,
    actor: Any,
) -> Receipt:
    with transaction.atomic():
        drawer = drawer_lock(drawer_id)
        _check_drawer(drawer, actor)  # again, under the lock
        accounts_lock(f.account.pk for f, _ in found)
        total = sum(amount for _, amount in found)
        receipt = Receipt.objects.create(
            number=sequence_next(RECEIPT_SEQUENCE),
            drawer=drawer,
            cashier=actor,
            issued_at=timezone.now(),
            business_date=drawer.business_date,
            payer_name=payer_name.strip()[:120],
            tender=tender.tender,
            total_cents=total,
            tendered_cents=total + change,
            change_cents=change,
            idempotency_key=idempotency_key,
        )
        for index, (f, amount) in enumerate(found):
            payment = _payment(receipt, f, amount, index, tender, card, actor)
            payment_post_entry(payment=payment, source_ref=receipt.display_number, actor=actor)
        audit_record(
            actor=actor,
            action="payments.receipt.issue",
            subject=receipt,
            after={"number": receipt.number, "total_cents": total, "tender": tender.tender},
        )
    return receipt


def _payment(
    receipt: Receipt,
    found: FoundAccount,
    amount: int,
    index: int,
    tender: CounterTender,
    card: CardResult | None,
    actor: Any,
) -> Payment:
    return Payment.objects.create(
        receipt=receipt,
        account=found.account,
        amount_cents=amount,
        tender=tender.tender,
        channel=Channel.COUNTER,
        received_on=receipt.business_date,
        payer_name=receipt.payer_name,
        check_number=tender.check_number.strip()[:15] if tender.tender == Tender.CHECK else "",
        check_bank=tender.check_bank.strip()[:80] if tender.tender == Tender.CHECK else "",
        processor_reference=card.reference if card else "",
        card_brand=card.brand if card else "",
        card_last4=card.last4 if card else "",
        auth_code=card.auth_code if card else "",
        idempotency_key=f"receipt:{receipt.number}:{index}",
        created_by=actor,
        created_at=receipt.issued_at,
    )


def receipt_void(*, receipt_id: int, reason: str, actor: Any) -> Receipt:
    """Void a receipt the same day on an open drawer; its payments' entries are reversed."""
    if not can(actor, Action.RECEIPT_VOID):
        raise ServiceError(_(VOID_ROLE))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError(_(VOID_REASON_MISSING), field="reason")
    with transaction.atomic():
        drawer_id = Receipt.objects.values_list("drawer_id", flat=True).get(pk=receipt_id)
        drawer = drawer_lock(drawer_id)
        receipt = receipt_lock(receipt_id)
        _check_voidable(receipt, drawer, actor)
        today = timezone.localdate()
        payments = list(receipt.payments.select_related("entry").order_by("pk"))
        if any(p.status != Payment.Status.POSTED for p in payments):
            raise ServiceError(_(VOID_PAYMENT_NOT_POSTED).format(number=receipt.display_number))
        accounts_lock(p.account_id for p in payments)
        for payment in payments:
            payment_reverse_entry(
                payment=payment,
                effective_date=today,
                reason=f"Void of {receipt.display_number}: {reason}"[:300],
                status=Payment.Status.VOID,
                actor=actor,
            )
        receipt.status = Receipt.Status.VOID
        receipt.void_reason = reason[:300]
        receipt.voided_by = actor
        receipt.voided_at = timezone.now()
        receipt.save(update_fields=["status", "void_reason", "voided_by", "voided_at"])
        audit_record(
            actor=actor,
            action="payments.receipt.void",
            subject=receipt,
            before={"status": "issued"},
            after={"status": "void"},
            reason=reason,
        )
    return receipt


def _check_voidable(receipt: Receipt, drawer: DrawerSession, actor: Any) -> None:
    number = receipt.display_number
    if receipt.cashier_id == actor.pk:
        raise ServiceError(_(VOID_OWN_RECEIPT))
    if receipt.status == Receipt.Status.VOID:
        raise ServiceError(_(VOID_ALREADY).format(number=number))
    if receipt.business_date != timezone.localdate():
        raise ServiceError(
            _(VOID_NOT_SAME_DAY).format(number=number, day=receipt.business_date.isoformat())
        )
    if drawer.status != DrawerSession.Status.OPEN:
        raise ServiceError(_(VOID_DRAWER_NOT_OPEN).format(number=number))


def payment_reverse(*, payment_id: int, reason: str, actor: Any) -> Payment:
    """After the drawer is counted (or for any posted payment not on an open drawer):
    post the linked reversing entry. The receipt keeps its number and status."""
    if not can(actor, Action.RECEIPT_VOID):
        raise ServiceError(_(REVERSE_ROLE))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError(_(VOID_REASON_MISSING), field="reason")
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("receipt__drawer")
            .get(pk=payment_id)
        )
        if payment.status != Payment.Status.POSTED:
            raise ServiceError(_(REVERSE_NOT_POSTED).format(status=payment.get_status_display()))
        receipt = payment.receipt
        if receipt is not None and receipt.drawer.status == DrawerSession.Status.OPEN:
            raise ServiceError(_(REVERSE_VOID_INSTEAD).format(number=receipt.display_number))
        accounts_lock([payment.account_id])
        payment_reverse_entry(
            payment=payment,
            effective_date=timezone.localdate(),
            reason=f"Reversal of P{payment.pk}: {reason}"[:300],
            status=Payment.Status.REVERSED,
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="payments.payment.reverse",
            subject=payment,
            before={"status": "posted"},
            after={"status": "reversed"},
            reason=reason,
            account_id=payment.account_id,
        )
    return payment
