"""Taking payments at the counter: lookup, tenders, change, splits, credits, receipts."""

from __future__ import annotations

import pytest

from cistern.core.errors import ServiceError
from cistern.ledger import codes
from cistern.ledger.models import Posting
from cistern.payments import counter_services as C
from cistern.payments.domain import scan_line_build
from cistern.payments.domain.scan_line import MSG_BAD_CHECK_DIGIT
from cistern.payments.models import Payment, Receipt
from cistern.payments.posting import CATEGORY_CREDIT
from cistern.payments.services import (
    CounterShare,
    CounterTender,
    drawer_open,
    payment_take_at_counter,
)
from tests.integration.payments.conftest import assert_ledger_sound, balance, charge

pytestmark = pytest.mark.django_db


def take(drawer, cashier, shares, tender, key="k1", **kw) -> Receipt:
    return payment_take_at_counter(
        drawer_id=drawer.pk,
        shares=[CounterShare(a, c) for a, c in shares],
        tender=tender,
        idempotency_key=key,
        actor=cashier,
        **kw,
    )


def test_cash_payment_found_by_scan_line_gives_change_and_pays_the_oldest_charge_first(
    drawer, cashier, maria
) -> None:
    # given Maria owes $120 (water $80 in January, sewer $40 in February)
    line = scan_line_build(maria.number, 12000)
    # when she pays $50 with a $60 cash tender, found by her stub's scan line
    receipt = take(drawer, cashier, [(line, 5000)], CounterTender("cash", 6000))
    # then the receipt shows $10 change and the payment went to the January water charge
    assert receipt.change_cents == 1000 and receipt.total_cents == 5000
    payment = receipt.payments.get()
    legs = {p.ledger_account.code: p for p in payment.entry.postings.all()}
    assert legs[codes.CASH_CLEARING].amount_cents == 5000
    assert legs[codes.AR_WATER].amount_cents == -5000
    assert legs[codes.AR_WATER].charge_category == "water"
    assert balance(maria) == 7000
    assert_ledger_sound()


def test_a_scan_line_with_a_wrong_check_digit_is_refused_and_nothing_is_written(
    drawer, cashier, maria
) -> None:
    line = scan_line_build(maria.number, 12000)
    wrong = line[:-1] + str((int(line[-1]) + 1) % 10)
    with pytest.raises(ServiceError) as refused:
        take(drawer, cashier, [(wrong, 5000)], CounterTender("cash", 5000))
    assert refused.value.message == MSG_BAD_CHECK_DIGIT
    assert not Receipt.objects.exists() and not Payment.objects.exists()


def test_payment_larger_than_the_balance_leaves_a_credit(drawer, cashier, james) -> None:
    # given James owes $50; when he pays by check for $80
    receipt = take(
        drawer, cashier, [(james.number, 8000)], CounterTender("check", 8000, "1042", "Wells")
    )
    # then the water charge is paid and $30 is his credit
    credit = Posting.objects.get(
        entry=receipt.payments.get().entry, charge_category=CATEGORY_CREDIT
    )
    assert credit.amount_cents == -3000
    assert balance(james) == -3000
    assert receipt.change_cents == 0
    assert_ledger_sound()


def test_one_tender_can_pay_several_accounts_on_one_receipt(drawer, cashier, maria, james) -> None:
    receipt = take(
        drawer, cashier, [(maria.number, 12000), (james.number, 5000)], CounterTender("cash", 20000)
    )
    assert receipt.payments.count() == 2
    assert receipt.change_cents == 3000
    assert balance(maria) == 0 and balance(james) == 0
    assert_ledger_sound()


def test_the_same_account_twice_in_a_split_is_refused(drawer, cashier, maria) -> None:
    line = scan_line_build(maria.number, 12000)
    with pytest.raises(ServiceError):
        take(drawer, cashier, [(maria.number, 100), (line, 200)], CounterTender("cash", 300))
    assert not Receipt.objects.exists()


def test_cash_short_of_the_total_is_refused(drawer, cashier, maria) -> None:
    with pytest.raises(ServiceError) as refused:
        take(drawer, cashier, [(maria.number, 5000)], CounterTender("cash", 4000))
    assert refused.value.field == "tendered"


def test_a_check_for_a_different_amount_than_applied_is_refused(drawer, cashier, maria) -> None:
    with pytest.raises(ServiceError) as refused:
        take(drawer, cashier, [(maria.number, 5000)], CounterTender("check", 6000, "1"))
    assert refused.value.field == "tendered"


def test_a_check_needs_its_number(drawer, cashier, maria) -> None:
    with pytest.raises(ServiceError, match=C.CHECK_NUMBER_MISSING):
        take(drawer, cashier, [(maria.number, 5000)], CounterTender("check", 5000))


def test_a_card_payment_keeps_only_the_processor_details(drawer, cashier, maria) -> None:
    receipt = take(
        drawer,
        cashier,
        [(maria.number, 12000)],
        CounterTender("card", 12000, card_token="tok_visa_4242"),
    )
    payment = receipt.payments.get()
    assert payment.card_brand == "visa" and payment.card_last4 == "4242"
    assert payment.processor_reference.startswith("sbx_ch_") and payment.auth_code
    assert balance(maria) == 0


def test_a_declined_card_posts_nothing(drawer, cashier, maria) -> None:
    with pytest.raises(ServiceError):
        take(
            drawer,
            cashier,
            [(maria.number, 100)],
            CounterTender("card", 100, card_token="tok_declined"),
        )
    assert not Payment.objects.exists() and balance(maria) == 12000


def test_a_double_submit_gives_the_first_receipt_back(drawer, cashier, maria) -> None:
    first = take(drawer, cashier, [(maria.number, 5000)], CounterTender("cash", 5000), key="same")
    again = take(drawer, cashier, [(maria.number, 5000)], CounterTender("cash", 5000), key="same")
    assert first.pk == again.pk
    assert Payment.objects.count() == 1 and balance(maria) == 7000


def test_receipt_numbers_are_consecutive(drawer, cashier, maria) -> None:
    numbers = [
        take(drawer, cashier, [(maria.number, 100)], CounterTender("cash", 100), key=f"n{i}").number
        for i in range(3)
    ]
    assert numbers == list(range(numbers[0], numbers[0] + 3))


def test_a_failed_payment_gives_its_receipt_number_back(drawer, cashier, maria, senior) -> None:
    first = take(drawer, cashier, [(maria.number, 100)], CounterTender("cash", 100), key="a")
    with pytest.raises(ServiceError):  # someone else's drawer: refused inside the transaction
        take(drawer, senior, [(maria.number, 100)], CounterTender("cash", 100), key="b")
    second = take(drawer, cashier, [(maria.number, 100)], CounterTender("cash", 100), key="c")
    assert second.number == first.number + 1


def test_deposits_held_are_never_consumed_by_a_payment(drawer, cashier, maria) -> None:
    # given a deposit charge on Maria's account older than her bills
    from datetime import date

    from cistern.ledger.services import Leg, journal_entry_post
    from cistern.staff.roles import Role
    from tests.factories.staff import staff_user

    journal_entry_post(
        idempotency_key="deposit-charge", effective_date=date(2024, 12, 1), source="bill",
        legs=[Leg(codes.AR_OTHER, 10000, maria.pk, "deposit"), Leg(codes.DEPOSITS_HELD, -10000)],
        actor=staff_user(Role.FINANCE),
    )  # fmt: skip
    # when she pays exactly her bills
    receipt = take(drawer, cashier, [(maria.number, 12000)], CounterTender("cash", 12000))
    # then nothing went to the deposit
    categories = set(
        receipt.payments.get().entry.postings.values_list("charge_category", flat=True)
    )
    assert categories == {"", "water", "sewer"}


def test_fees_first_order_pays_the_fee_before_older_service_charges(
    drawer, cashier, maria, settings
) -> None:
    settings.CISTERN_PAYMENT_APPLICATION_ORDER = "fees_first"
    charge(maria, 1000, category=codes.CATEGORY_LATE_FEE)
    receipt = take(drawer, cashier, [(maria.number, 1000)], CounterTender("cash", 1000))
    legs = list(receipt.payments.get().entry.postings.exclude(charge_category=""))
    assert [(p.charge_category, p.amount_cents) for p in legs] == [("late_fee", -1000)]


def test_a_closed_or_other_cashiers_drawer_takes_no_payment(cashier, senior, maria) -> None:
    senior_drawer = drawer_open(counts={"bill_20": 1}, actor=senior)
    with pytest.raises(ServiceError, match=C.DRAWER_NOT_YOURS_FOR_PAYMENT):
        take(senior_drawer, cashier, [(maria.number, 100)], CounterTender("cash", 100))


def test_a_card_is_not_charged_when_the_drawer_cannot_take_the_payment(
    cashier, senior, maria, monkeypatch
) -> None:
    from cistern.payments.processors import SandboxProcessor

    charges: list[str] = []
    original = SandboxProcessor.terminal_charge

    def spy(self, **kw):
        charges.append(kw["token"])
        return original(self, **kw)

    monkeypatch.setattr(SandboxProcessor, "terminal_charge", spy)
    senior_drawer = drawer_open(counts={"bill_20": 1}, actor=senior)
    with pytest.raises(ServiceError):
        take(
            senior_drawer,
            cashier,
            [(maria.number, 100)],
            CounterTender("card", 100, card_token="tok_visa_4242"),
        )
    assert charges == []
