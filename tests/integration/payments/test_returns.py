"""Returned checks and ACH debits: reversal, fee, letter, and cash-only after repeat returns."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cistern.core.errors import ServiceError
from cistern.customers.models import AccountFlag
from cistern.ledger import codes
from cistern.payments import counter_services as C
from cistern.payments.models import Payment
from cistern.payments.return_services import returned_payment_fee_cents
from cistern.payments.services import (
    CounterShare,
    CounterTender,
    payment_return,
    payment_take_at_counter,
)
from tests.integration.payments.conftest import assert_ledger_sound, balance

pytestmark = pytest.mark.django_db


def check_payment(drawer, cashier, account, cents, key) -> Payment:
    receipt = payment_take_at_counter(
        drawer_id=drawer.pk,
        shares=[CounterShare(account.number, cents)],
        tender=CounterTender("check", cents, check_number="501"),
        idempotency_key=key,
        actor=cashier,
    )
    return receipt.payments.get()


def test_a_returned_check_is_reversed_charged_a_fee_and_the_customer_gets_a_letter(
    drawer, cashier, csr2, maria
) -> None:
    # given Maria paid her $120 by check
    payment = check_payment(drawer, cashier, maria, 12000, "c1")
    today = timezone.localdate()
    fee = returned_payment_fee_cents(as_of=today)
    # when the bank returns it for insufficient funds
    record = payment_return(payment_id=payment.pk, reason_code="nsf", returned_on=today, actor=csr2)
    # then the payment is reversed (linked), the fee is charged, and a letter is on file
    assert record.reversing_entry.reverses_id == payment.entry_id
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.RETURNED
    assert fee > 0 and record.fee_cents == fee
    fee_leg = record.fee_entry.postings.get(ledger_account__code=codes.AR_FEES)
    assert fee_leg.charge_category == codes.CATEGORY_RETURNED_PAYMENT_FEE
    assert balance(maria) == 12000 + fee
    assert (
        "returned by your bank" in record.letter_html
        and "Not sufficient funds" in record.letter_html
    )
    assert not record.cash_only_set
    assert_ledger_sound()


def test_a_payment_is_returned_at_most_once(drawer, cashier, csr2, maria) -> None:
    payment = check_payment(drawer, cashier, maria, 100, "c1")
    today = timezone.localdate()
    payment_return(payment_id=payment.pk, reason_code="R01", returned_on=today, actor=csr2)
    with pytest.raises(ServiceError):
        payment_return(payment_id=payment.pk, reason_code="R01", returned_on=today, actor=csr2)


def test_cash_is_not_returnable_and_unknown_codes_are_refused(drawer, cashier, csr2, maria) -> None:
    receipt = payment_take_at_counter(
        drawer_id=drawer.pk, shares=[CounterShare(maria.number, 100)],
        tender=CounterTender("cash", 100), idempotency_key="cash", actor=cashier,
    )  # fmt: skip
    today = timezone.localdate()
    with pytest.raises(ServiceError):
        payment_return(
            payment_id=receipt.payments.get().pk, reason_code="nsf", returned_on=today, actor=csr2
        )
    check = check_payment(drawer, cashier, maria, 100, "c2")
    with pytest.raises(ServiceError):
        payment_return(payment_id=check.pk, reason_code="R99", returned_on=today, actor=csr2)


def test_the_second_return_in_a_year_makes_the_account_cash_only_and_checks_are_refused(
    drawer, cashier, csr2, maria
) -> None:
    today = timezone.localdate()
    first = check_payment(drawer, cashier, maria, 1000, "c1")
    second = check_payment(drawer, cashier, maria, 1000, "c2")
    payment_return(payment_id=first.pk, reason_code="nsf", returned_on=today, actor=csr2)
    record = payment_return(payment_id=second.pk, reason_code="R02", returned_on=today, actor=csr2)
    assert record.cash_only_set
    assert AccountFlag.objects.filter(account=maria, kind="cash_only", cleared_on=None).exists()
    assert "cash, money order or card" in record.letter_html
    with pytest.raises(ServiceError) as refused:
        check_payment(drawer, cashier, maria, 1000, "c3")
    assert refused.value.message.startswith(f"Account {maria.number} is cash only")
    assert re.search("2 returned payments in 12 months", refused.value.message)


def test_returns_caused_by_bad_account_data_do_not_count_toward_cash_only(
    drawer, cashier, csr2, maria
) -> None:
    today = timezone.localdate()
    for key in ("c1", "c2"):
        payment = check_payment(drawer, cashier, maria, 1000, key)
        payment_return(payment_id=payment.pk, reason_code="R03", returned_on=today, actor=csr2)
    assert not AccountFlag.objects.filter(account=maria, kind="cash_only").exists()


def test_the_threshold_is_configurable(drawer, cashier, csr2, maria, settings) -> None:
    settings.CISTERN_CASH_ONLY_RETURN_THRESHOLD = 1
    payment = check_payment(drawer, cashier, maria, 1000, "c1")
    record = payment_return(
        payment_id=payment.pk, reason_code="nsf", returned_on=timezone.localdate(), actor=csr2
    )
    assert record.cash_only_set


def test_a_return_date_before_the_payment_is_refused(drawer, cashier, csr2, maria) -> None:
    payment = check_payment(drawer, cashier, maria, 1000, "c1")
    with pytest.raises(ServiceError):
        payment_return(
            payment_id=payment.pk, reason_code="nsf",
            returned_on=payment.received_on - timedelta(days=1), actor=csr2,
        )  # fmt: skip
    assert C.CASH_ONLY_REFUSES_CHECK  # the counter's message is a module constant


def test_a_receipt_whose_check_came_back_cannot_be_voided(
    drawer, cashier, csr2, senior, maria
) -> None:
    payment = check_payment(drawer, cashier, maria, 1000, "c1")
    payment_return(
        payment_id=payment.pk, reason_code="nsf", returned_on=timezone.localdate(), actor=csr2
    )
    from cistern.payments.services import receipt_void

    with pytest.raises(ServiceError, match="already reversed or returned"):
        receipt_void(receipt_id=payment.receipt_id, reason="mistake", actor=senior)
