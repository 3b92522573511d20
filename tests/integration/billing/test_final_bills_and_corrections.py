"""Final bills prorate to the stop date; cancel-and-rebill keeps payments already applied."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Sum

from cistern.billing.models import Bill
from cistern.billing.services import (
    bill_cancel_and_rebill,
    bill_run_calculate,
    bill_run_create,
    bill_run_post,
    bill_run_review,
    final_bill_create,
)
from cistern.core.errors import ServiceError
from cistern.ledger import codes
from cistern.ledger.models import JournalEntry
from cistern.ledger.services import Leg, journal_entry_post
from cistern.metering.models import MeterRead
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db


def _balance(acct) -> int:
    return acct.postings.aggregate(s=Sum("amount_cents"))["s"] or 0


def _january_bill(clerk, acct) -> Bill:
    run = bill_run_create(
        cycle=acct.premise.cycle, period_start=date(2025, 1, 1), period_end=date(2025, 1, 31),
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip
    run = bill_run_review(run=bill_run_calculate(run=run, actor=clerk), actor=clerk)
    bill_run_post(run=run, actor=clerk)
    return run.bills.get(account=acct)


def test_a_final_bill_prorates_charges_and_tier_widths_to_the_stop_date(clerk, rates) -> None:
    # given Maria billed through January, moving out on February 15 with 6 CCF used
    acct = makers.account(billing_cycle=makers.cycle())
    makers.read(acct, date(2025, 1, 31), 12)
    _january_bill(clerk, acct)
    final_read = makers.read(acct, date(2025, 2, 15), 6)
    # when the final bill is made
    bill = final_bill_create(
        account=acct, stop_date=date(2025, 2, 15), final_read=final_read,
        bill_date=date(2025, 2, 16), due_date=date(2025, 3, 9), actor=clerk,
    )  # fmt: skip
    # then it covers Feb 1-15 (15 of 30 days): half the base, tier 1 ends at 5 CCF
    assert (bill.period_start, bill.period_end, bill.kind) == (
        date(2025, 2, 1), date(2025, 2, 15), Bill.Kind.FINAL,
    )  # fmt: skip
    lines = [(ln.code, ln.tier, ln.quantity, ln.amount_cents) for ln in bill.lines.all()]
    assert lines == [
        ("base", 0, 1, 1000),
        ("use", 1, 5, 1000),
        ("use", 2, 1, 300),
        ("sewer", 0, 6, 900),
    ]
    assert bill.total_cents == 3200
    assert bill.status == Bill.Status.POSTED
    assert _balance(acct) == 6400 + 3200


def test_a_final_read_held_for_review_is_refused_and_nothing_is_billed(clerk, rates) -> None:
    acct = makers.account(billing_cycle=makers.cycle())
    held = makers.read(acct, date(2025, 2, 15), 6, review="held")
    with pytest.raises(ServiceError) as caught:
        final_bill_create(
            account=acct, stop_date=date(2025, 2, 15), final_read=held,
            bill_date=date(2025, 2, 16), due_date=date(2025, 3, 9), actor=clerk,
        )  # fmt: skip
    assert caught.value.field == "final_read"
    assert not Bill.objects.filter(account=acct).exists()


def test_cancel_and_rebill_reverses_the_bill_and_keeps_the_payment_applied(clerk, rates) -> None:
    # given a posted $64.00 bill on a 12 CCF read, and a $30.00 payment
    acct = makers.account(billing_cycle=makers.cycle())
    wrong = makers.read(acct, date(2025, 1, 31), 12)
    bill = _january_bill(clerk, acct)
    journal_entry_post(
        idempotency_key="test-payment-1", effective_date=date(2025, 2, 10), source="payment",
        legs=[Leg(codes.CASH_CLEARING, 3000), Leg(codes.AR_WATER, -3000, acct.pk, "water")],
        actor=clerk,
    )  # fmt: skip
    assert _balance(acct) == 3400
    # when the read is corrected to 5 CCF and the bill is cancelled and rebilled
    MeterRead.objects.filter(pk=wrong.pk).update(review=MeterRead.Review.CORRECTED)
    makers.read(acct, date(2025, 1, 31), 5)
    new = bill_cancel_and_rebill(
        bill=bill, reason="Misread: 12 for 5", as_of=date(2025, 2, 12), actor=clerk
    )
    # then the old bill is cancelled with a reversing entry, the new one is $37.50
    bill.refresh_from_db()
    assert bill.status == Bill.Status.CANCELLED
    assert JournalEntry.objects.filter(reverses=bill.journal_entry).count() == 1
    assert (new.kind, new.replaces_id, new.total_cents) == (Bill.Kind.REBILL, bill.pk, 3750)
    # and the payment is still applied: the balance is the new bill less the payment
    assert _balance(acct) == 3750 - 3000


def test_only_a_posted_bill_can_be_cancelled(clerk, rates) -> None:
    acct = makers.account(billing_cycle=makers.cycle())
    makers.read(acct, date(2025, 1, 31), 12)
    bill = _january_bill(clerk, acct)
    bill_cancel_and_rebill(bill=bill, reason="Wrong class", as_of=date(2025, 2, 12), actor=clerk)
    with pytest.raises(ServiceError):
        bill_cancel_and_rebill(bill=bill, reason="Again", as_of=date(2025, 2, 12), actor=clerk)
