"""The drawer's state machine (open -> counted -> closed) and receipt voids and reversals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from cistern.core.errors import ServiceError
from cistern.ledger import codes
from cistern.ledger.models import JournalEntry
from cistern.payments import counter_services as C
from cistern.payments import drawer_services as D
from cistern.payments.models import DrawerSession, Payment, Receipt
from cistern.payments.services import (
    CounterShare,
    CounterTender,
    drawer_close_approve,
    drawer_count_blind,
    drawer_open,
    payment_reverse,
    payment_take_at_counter,
    receipt_void,
)
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.payments.conftest import FLOAT, assert_ledger_sound, balance

pytestmark = pytest.mark.django_db
FLOAT_CENTS = 18500


def pay(drawer, cashier, account, cents, tender="cash", key="p1", **kw) -> Receipt:
    return payment_take_at_counter(
        drawer_id=drawer.pk,
        shares=[CounterShare(account.number, cents)],
        tender=CounterTender(tender, cents, **kw),
        idempotency_key=key,
        actor=cashier,
    )


def count(drawer, cashier, cash: dict[str, int], checks: int = 0) -> DrawerSession:
    return drawer_count_blind(
        drawer_id=drawer.pk, cash_counts=cash, checks_cents=checks, money_orders_cents=0,
        card_cents=0, actor=cashier,
    )  # fmt: skip


def test_opening_a_drawer_counts_the_float_by_denomination(drawer) -> None:
    assert drawer.opening_float_cents == FLOAT_CENTS
    assert drawer.status == DrawerSession.Status.OPEN
    assert drawer.opening_counts["bill_20"] == 5


def test_a_cashier_cannot_open_a_second_drawer(drawer, cashier) -> None:
    with pytest.raises(ServiceError):
        drawer_open(counts=FLOAT, actor=cashier)


def test_a_negative_or_unknown_denomination_is_refused(cashier) -> None:
    with pytest.raises(ServiceError):
        drawer_open(counts={"bill_3": 1}, actor=cashier)
    with pytest.raises(ServiceError):
        drawer_open(counts={"bill_20": -1}, actor=cashier)
    assert not DrawerSession.objects.exists()


def test_a_balanced_blind_count_posts_no_variance(drawer, cashier, maria) -> None:
    pay(drawer, cashier, maria, 2000)
    pay(drawer, cashier, maria, 3000, tender="check", key="p2", check_number="77")
    counted = count(drawer, cashier, {**FLOAT, "bill_20": 6}, checks=3000)
    assert counted.status == DrawerSession.Status.COUNTED
    assert counted.over_short_cents == 0 and counted.over_short_entry is None
    assert counted.expected_by_tender == {"cash": 20500, "check": 3000, "money_order": 0, "card": 0}


def test_a_short_drawer_posts_the_shortage_to_cash_over_short(drawer, cashier, maria) -> None:
    pay(drawer, cashier, maria, 2000)
    counted = count(drawer, cashier, {**FLOAT, "bill_10": 6})  # $10 where $20 was expected
    assert counted.over_short_cents == -1000
    legs = dict(
        counted.over_short_entry.postings.values_list("ledger_account__code", "amount_cents")
    )
    assert legs == {codes.CASH_CLEARING: -1000, codes.CASH_OVER_SHORT: 1000}
    assert_ledger_sound()


def test_only_the_cashier_counts_and_only_once(drawer, cashier, senior) -> None:
    with pytest.raises(ServiceError, match=D.DRAWER_NOT_YOURS):
        count(drawer, senior, FLOAT)
    count(drawer, cashier, FLOAT)
    with pytest.raises(ServiceError, match=D.DRAWER_NOT_OPEN):
        count(drawer, cashier, FLOAT)


def test_a_senior_who_is_not_the_cashier_approves_the_close(drawer, cashier, senior) -> None:
    with pytest.raises(ServiceError, match=D.DRAWER_NOT_COUNTED):
        drawer_close_approve(drawer_id=drawer.pk, actor=senior)
    count(drawer, cashier, FLOAT)
    with pytest.raises(ServiceError, match=D.APPROVER_ROLE):
        drawer_close_approve(drawer_id=drawer.pk, actor=cashier)
    closed = drawer_close_approve(drawer_id=drawer.pk, actor=senior)
    assert closed.status == DrawerSession.Status.CLOSED and closed.approved_by == senior
    drawer_open(counts=FLOAT, actor=cashier)  # the next day's drawer may open


def test_a_senior_cannot_approve_their_own_drawer(senior) -> None:
    own = drawer_open(counts=FLOAT, actor=senior)
    count(own, senior, FLOAT)
    with pytest.raises(ServiceError, match=D.APPROVER_IS_CASHIER):
        drawer_close_approve(drawer_id=own.pk, actor=senior)


def test_the_database_refuses_a_drawer_approved_by_its_cashier(drawer, cashier) -> None:
    with pytest.raises(IntegrityError):
        DrawerSession.objects.filter(pk=drawer.pk).update(approved_by=cashier)


def test_a_void_reverses_the_payment_and_keeps_the_number(drawer, cashier, senior, maria) -> None:
    receipt = pay(drawer, cashier, maria, 5000)
    voided = receipt_void(receipt_id=receipt.pk, reason="Keyed the wrong account", actor=senior)
    assert voided.status == Receipt.Status.VOID and voided.number == receipt.number
    payment = voided.payments.get()
    assert payment.status == Payment.Status.VOID
    assert payment.reversal_entry.reverses_id == payment.entry_id
    assert balance(maria) == 12000
    counted = count(drawer, cashier, FLOAT)  # the voided cash is not expected in the drawer
    assert counted.over_short_cents == 0
    assert_ledger_sound()


def test_a_void_needs_a_senior_a_reason_and_someone_else(drawer, cashier, senior, maria) -> None:
    receipt = pay(drawer, cashier, maria, 5000)
    with pytest.raises(ServiceError, match=C.VOID_ROLE):
        receipt_void(receipt_id=receipt.pk, reason="x", actor=cashier)
    with pytest.raises(ServiceError, match=C.VOID_REASON_MISSING):
        receipt_void(receipt_id=receipt.pk, reason="  ", actor=senior)
    receipt_void(receipt_id=receipt.pk, reason="wrong", actor=senior)
    with pytest.raises(ServiceError):
        receipt_void(receipt_id=receipt.pk, reason="again", actor=staff_user(Role.MANAGER))
    assert JournalEntry.objects.filter(reverses__isnull=False).count() == 1


def test_a_senior_cannot_void_their_own_receipt(senior, maria) -> None:
    own = drawer_open(counts=FLOAT, actor=senior)
    receipt = pay(own, senior, maria, 100)
    with pytest.raises(ServiceError, match=C.VOID_OWN_RECEIPT):
        receipt_void(receipt_id=receipt.pk, reason="oops", actor=senior)


def test_after_the_count_only_a_reversal_corrects_a_payment(drawer, cashier, senior, maria) -> None:
    receipt = pay(drawer, cashier, maria, 5000)
    count(drawer, cashier, {**FLOAT, "bill_50": 1})
    with pytest.raises(ServiceError):
        receipt_void(receipt_id=receipt.pk, reason="late", actor=senior)
    payment = receipt.payments.get()
    reversed_ = payment_reverse(payment_id=payment.pk, reason="Wrong account", actor=senior)
    assert reversed_.status == Payment.Status.REVERSED
    assert Receipt.objects.get(pk=receipt.pk).status == Receipt.Status.ISSUED
    assert balance(maria) == 12000
    assert_ledger_sound()


def test_a_receipt_from_an_earlier_day_cannot_be_voided(drawer, cashier, senior, maria) -> None:
    receipt = pay(drawer, cashier, maria, 5000)
    Receipt.objects.filter(pk=receipt.pk).update(
        business_date=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(ServiceError):
        receipt_void(receipt_id=receipt.pk, reason="late", actor=senior)


def test_reversing_while_the_drawer_is_open_says_to_void(drawer, cashier, senior, maria) -> None:
    receipt = pay(drawer, cashier, maria, 5000)
    with pytest.raises(ServiceError):
        payment_reverse(payment_id=receipt.payments.get().pk, reason="x", actor=senior)
