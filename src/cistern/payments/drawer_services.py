"""The cash drawer's life: open with a counted float, blind count, supervisor's approval.

States: open -> counted -> closed. Rules (reference/payments.md "Cash controls"):
- one unclosed drawer per cashier; the float is counted by denomination;
- the blind count is entered by the cashier before any expected figure is shown; the
  over/short (counted - expected, all tenders) posts at once to the cash over/short account
  (over: debit cash clearing, credit over/short; short: the reverse);
- the close is approved by a CSR Senior or Manager who is not the cashier.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.ledger import codes
from cistern.ledger.services import Leg, journal_entry_post
from cistern.payments.domain import (
    BlindCount,
    Denomination,
    PaymentRuleError,
    SessionReceipt,
    count_cash,
    drawer_reconcile,
)
from cistern.payments.domain import Tender as DomainTender
from cistern.payments.locks import drawer_lock
from cistern.payments.models import DrawerSession, Receipt
from cistern.staff.permissions import Action, can

DRAWER_ALREADY_OPEN = "You already have a drawer open (drawer {drawer}). Count and close it first."
DRAWER_NOT_OPEN = "This drawer is not open, so it cannot be counted or take payments."
DRAWER_NOT_COUNTED = "This drawer has not been counted yet; the cashier counts it first."
DRAWER_NOT_YOURS = "Only the cashier who opened this drawer may count it."
APPROVER_IS_CASHIER = "You cannot approve the close of your own drawer; ask a supervisor."
APPROVER_ROLE = "Only a CSR Senior or a Manager may approve a drawer close."


def _counts(counts: Mapping[str, int]) -> dict[Denomination, int]:
    try:
        parsed = {Denomination.from_code(code): int(n) for code, n in counts.items() if n}
        count_cash(parsed)  # refuses negative pieces
    except PaymentRuleError as exc:
        raise ServiceError(_(exc.message), field="counts") from exc
    return parsed


def drawer_open(*, counts: Mapping[str, int], actor: Any) -> DrawerSession:
    """Open a drawer for ``actor`` with a float counted by denomination (``{"bill_20": 5}``)."""
    parsed = _counts(counts)
    with transaction.atomic():
        existing = (
            DrawerSession.objects.select_for_update()
            .filter(cashier=actor, status__in=["open", "counted"])
            .first()
        )
        if existing is not None:
            raise ServiceError(_(DRAWER_ALREADY_OPEN).format(drawer=existing.pk))
        drawer = DrawerSession.objects.create(
            cashier=actor,
            business_date=timezone.localdate(),
            opened_at=timezone.now(),
            opening_counts={d.code: n for d, n in parsed.items()},
            opening_float_cents=count_cash(parsed),
        )
        audit_record(
            actor=actor,
            action="payments.drawer.open",
            subject=drawer,
            after={"opening_float_cents": drawer.opening_float_cents},
        )
    return drawer


_DRAWER_TENDERS = {t.value for t in DomainTender}


def drawer_session_receipts(drawer: DrawerSession) -> list[SessionReceipt]:
    """The drawer's receipts as the domain reconciles them (cash net of change)."""
    return [
        SessionReceipt(DomainTender(r.tender), r.total_cents, r.status == Receipt.Status.VOID)
        for r in drawer.receipts.all()
        if r.tender in _DRAWER_TENDERS
    ]


def drawer_count_blind(
    *,
    drawer_id: int,
    cash_counts: Mapping[str, int],
    checks_cents: int,
    money_orders_cents: int,
    card_cents: int,
    actor: Any,
) -> DrawerSession:
    """Record the cashier's blind count, compute expected and over/short, post the variance."""
    count = BlindCount(_counts(cash_counts), checks_cents, money_orders_cents, card_cents)
    with transaction.atomic():
        drawer = drawer_lock(drawer_id)
        if drawer.status != DrawerSession.Status.OPEN:
            raise ServiceError(_(DRAWER_NOT_OPEN))
        if drawer.cashier_id != actor.pk:
            raise ServiceError(_(DRAWER_NOT_YOURS))
        try:
            result = drawer_reconcile(
                opening_float_cents=drawer.opening_float_cents,
                receipts=drawer_session_receipts(drawer),
                count=count,
            )
        except PaymentRuleError as exc:
            raise ServiceError(_(exc.message)) from exc
        _store_count(drawer, count, result)
        if result.over_short_cents:
            drawer.over_short_entry = _post_over_short(drawer, result.over_short_cents, actor)
        drawer.save()
        audit_record(
            actor=actor,
            action="payments.drawer.count",
            subject=drawer,
            after={"counted": _counted(drawer), "over_short_cents": drawer.over_short_cents},
        )
    return drawer


def _store_count(drawer: DrawerSession, count: BlindCount, result: Any) -> None:
    counted = count.by_tender()
    drawer.status = DrawerSession.Status.COUNTED
    drawer.counted_at = timezone.now()
    drawer.counted_cash_counts = {d.code: n for d, n in count.cash_by_denomination.items()}
    drawer.counted_cash_cents = counted[DomainTender.CASH]
    drawer.counted_checks_cents = counted[DomainTender.CHECK]
    drawer.counted_money_orders_cents = counted[DomainTender.MONEY_ORDER]
    drawer.counted_card_cents = counted[DomainTender.CARD]
    drawer.expected_by_tender = {line.tender.value: line.expected_cents for line in result.lines}
    drawer.over_short_cents = result.over_short_cents


def _counted(drawer: DrawerSession) -> dict[str, int | None]:
    return {
        "cash": drawer.counted_cash_cents,
        "check": drawer.counted_checks_cents,
        "money_order": drawer.counted_money_orders_cents,
        "card": drawer.counted_card_cents,
    }


def _post_over_short(drawer: DrawerSession, over_short_cents: int, actor: Any) -> Any:
    return journal_entry_post(
        idempotency_key=f"drawer:{drawer.pk}:over_short",
        effective_date=drawer.business_date,
        source="drawer",
        source_ref=f"D{drawer.pk}",
        memo="Cash drawer over" if over_short_cents > 0 else "Cash drawer short",
        legs=[
            Leg(codes.CASH_CLEARING, over_short_cents),
            Leg(codes.CASH_OVER_SHORT, -over_short_cents),
        ],
        actor=actor,
    )


def drawer_close_approve(*, drawer_id: int, actor: Any) -> DrawerSession:
    """A CSR Senior or Manager, not the cashier, approves a counted drawer: it closes."""
    if not can(actor, Action.DRAWER_CLOSE_APPROVE):
        raise ServiceError(_(APPROVER_ROLE))
    with transaction.atomic():
        drawer = drawer_lock(drawer_id)
        if drawer.cashier_id == actor.pk:
            raise ServiceError(_(APPROVER_IS_CASHIER))
        if drawer.status != DrawerSession.Status.COUNTED:
            raise ServiceError(_(DRAWER_NOT_COUNTED))
        drawer.status = DrawerSession.Status.CLOSED
        drawer.approved_by = actor
        drawer.approved_at = timezone.now()
        drawer.save(update_fields=["status", "approved_by", "approved_at"])
        audit_record(
            actor=actor,
            action="payments.drawer.approve",
            subject=drawer,
            before={"status": "counted"},
            after={"status": "closed", "over_short_cents": drawer.over_short_cents},
        )
    return drawer
