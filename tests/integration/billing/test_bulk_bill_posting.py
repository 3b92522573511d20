"""Posting a bill run through the ledger's bulk path: same rows, failures set aside."""

from __future__ import annotations

from datetime import date

import pytest

from cistern.billing.models import Bill, BillException, BillLine, BillRun
from cistern.billing.posting import bill_entry_request
from cistern.billing.services import (
    bill_run_calculate,
    bill_run_create,
    bill_run_post,
    bill_run_review,
)
from cistern.ledger.checks import ledger_check
from cistern.ledger.models import JournalEntry
from cistern.ledger.services import accounting_period_close, journal_entry_post
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db
JAN_1, JAN_31 = date(2025, 1, 1), date(2025, 1, 31)


def _reviewed_run(clerk, count: int) -> BillRun:
    cycle = makers.cycle()
    for n in range(count):
        makers.read(makers.account(billing_cycle=cycle), JAN_31, 5 + n % 10)
    run = bill_run_create(
        cycle=cycle, period_start=JAN_1, period_end=JAN_31,
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip
    return bill_run_review(run=bill_run_calculate(run=run, actor=clerk), actor=clerk)


def test_a_bill_the_ledger_refuses_is_set_aside_and_the_chunk_posts(clerk, rates) -> None:
    run = _reviewed_run(clerk, 7)
    bad = run.bills.order_by("account_id")[3]
    BillLine.objects.filter(bill=bad).update(category="no_such_service")
    run = bill_run_post(run=run, actor=clerk, chunk_size=5)
    assert run.bills.filter(status=Bill.Status.POSTED).count() == 6
    bad.refresh_from_db()
    assert bad.status == Bill.Status.HELD and "no_such_service" in bad.held_reason
    failed = BillException.objects.get(bill=bad)
    assert failed.kind == BillException.Kind.FAILED
    for bill in run.bills.filter(status=Bill.Status.POSTED):
        assert bill.journal_entry.idempotency_key == f"bill:{bill.pk}"
        assert sum(p.amount_cents for p in bill.journal_entry.postings.all()) == 0
    assert all(not problems for problems in ledger_check().values())


def test_bills_dated_in_a_closed_period_are_set_aside_with_the_reason(clerk, rates) -> None:
    run = _reviewed_run(clerk, 3)
    other = makers.account(billing_cycle=makers.cycle("C9"))
    journal_entry_post(
        idempotency_key="seed", effective_date=date(2025, 2, 1), source="adjustment",
        legs=_legs(other.pk), actor=clerk,
    )  # fmt: skip
    accounting_period_close(period=date(2025, 2, 1), actor=clerk, today=date(2025, 3, 5))
    run = bill_run_post(run=run, actor=clerk)
    assert run.bills.filter(status=Bill.Status.HELD).count() == 3
    assert "closed" in run.bills.first().held_reason
    assert not JournalEntry.objects.filter(source="bill").exists()


def _legs(account_id: int):
    from cistern.ledger import codes
    from cistern.ledger.services import Leg

    return [Leg(codes.AR_WATER, 100, account_id, "water"), Leg(codes.REV_WATER, -100)]


def test_an_entry_already_posted_under_a_bills_key_is_replayed_not_doubled(clerk, rates) -> None:
    run = _reviewed_run(clerk, 4)
    first = run.bills.order_by("account_id").first()
    request = bill_entry_request(first, list(first.lines.values_list("category", "amount_cents")))
    entry = journal_entry_post(
        idempotency_key=request.idempotency_key, effective_date=request.effective_date,
        source=request.source, source_ref=request.source_ref, memo=request.memo,
        legs=request.legs, actor=clerk,
    )  # fmt: skip
    run = bill_run_post(run=run, actor=clerk)
    first.refresh_from_db()
    assert run.bills_posted == 4 and first.journal_entry_id == entry.pk
    assert JournalEntry.objects.filter(source="bill").count() == 4
