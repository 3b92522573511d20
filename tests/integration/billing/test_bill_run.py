"""A bill run from draft to posted: the dry run, exceptions and review, posting, ledger tie-out."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Sum

from cistern.billing.lines import line_values
from cistern.billing.models import Bill, BillException, BillRun
from cistern.billing.services import (
    OPEN_EXCEPTIONS,
    RELEASE_BY_HOLDER,
    bill_hold,
    bill_release,
    bill_run_calculate,
    bill_run_create,
    bill_run_issue,
    bill_run_post,
    bill_run_review,
    exception_release,
)
from cistern.core.errors import ServiceError
from cistern.ledger import codes
from cistern.ledger.models import JournalEntry, Posting
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db
JAN_1, JAN_31 = date(2025, 1, 1), date(2025, 1, 31)


def _run(clerk, cycle=None) -> BillRun:
    return bill_run_create(
        cycle=cycle or makers.cycle(), period_start=JAN_1, period_end=JAN_31,
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip


def _cycle_with_reads(count: int) -> list:
    cycle = makers.cycle()
    accounts = [makers.account(billing_cycle=cycle) for _ in range(count)]
    for n, acct in enumerate(accounts):
        makers.read(acct, JAN_31, 5 + n % 10)
    return accounts


def _bill_receivables() -> int:
    return (
        Posting.objects.filter(entry__source="bill", customer_account__isnull=False).aggregate(
            s=Sum("amount_cents")
        )["s"]
        or 0
    )


def test_a_twelve_ccf_month_is_billed_line_by_line_as_the_schedule_says(clerk, rates) -> None:
    acct = makers.account(billing_cycle=makers.cycle())
    makers.read(acct, JAN_31, 12)
    run = bill_run_calculate(run=_run(clerk), actor=clerk)
    bill = run.bills.get()
    lines = [
        (ln.code, ln.tier, ln.quantity, ln.amount_cents, ln.category) for ln in bill.lines.all()
    ]
    assert lines == [
        ("base", 0, 1, 2000, "water"),
        ("use", 1, 10, 2000, "water"),
        ("use", 2, 2, 600, "water"),
        ("sewer", 0, 12, 1800, "sewer"),
    ]
    assert bill.total_cents == 6400
    assert bill.reads_used and not bill.estimated


def test_the_dry_run_writes_draft_bills_and_nothing_to_the_ledger(clerk, rates) -> None:
    _cycle_with_reads(20)
    entries_before = JournalEntry.objects.count()
    run = bill_run_calculate(run=_run(clerk), actor=clerk, chunk_size=6)
    assert run.bills.filter(status=Bill.Status.DRAFT).count() == 20
    assert run.accounts_total == 20
    assert JournalEntry.objects.count() == entries_before


def test_exceptions_list_held_reads_estimates_and_accounts_with_no_rate(clerk, rates) -> None:
    cycle = makers.cycle()
    held = makers.account(billing_cycle=cycle)
    makers.read(held, JAN_31, 40, review="held")
    estimated = makers.account(billing_cycle=cycle)
    makers.read(estimated, date(2024, 12, 31), 9)  # history only
    makers.read(estimated, date(2024, 12, 1), 9)
    no_rate = makers.account(billing_cycle=cycle, services=("fire_line",))
    run = bill_run_calculate(run=_run(clerk), actor=clerk)
    kinds = {(e.account_id, e.kind) for e in run.exceptions.all()}
    assert (held.pk, BillException.Kind.READ_EXCEPTION) in kinds
    assert (held.pk, BillException.Kind.ESTIMATED) in kinds  # the held read is not billed
    assert (estimated.pk, BillException.Kind.ESTIMATED) in kinds
    assert (no_rate.pk, BillException.Kind.NO_RATE) in kinds
    assert not run.bills.filter(account=no_rate).exists()
    assert run.bills.get(account=estimated).estimated


def test_a_bill_far_above_the_accounts_history_is_an_exception(clerk, rates) -> None:
    cycle = makers.cycle()
    acct = makers.account(billing_cycle=cycle)
    makers.read(acct, date(2024, 12, 31), 10)
    first = bill_run_create(
        cycle=cycle, period_start=date(2024, 12, 1), period_end=date(2024, 12, 31),
        bill_date=date(2025, 1, 2), due_date=date(2025, 1, 23), actor=clerk,
    )  # fmt: skip
    first = bill_run_calculate(run=first, actor=clerk)
    first = bill_run_review(run=first, actor=clerk)
    bill_run_post(run=first, actor=clerk)
    makers.read(acct, JAN_31, 60)  # 6x the usual use
    run = bill_run_calculate(run=_run(clerk, cycle), actor=clerk)
    assert run.exceptions.filter(account=acct, kind=BillException.Kind.HIGH).exists()


def test_review_is_refused_while_exceptions_are_open_and_nothing_changes(clerk, rates) -> None:
    acct = makers.account(billing_cycle=makers.cycle())
    makers.read(acct, JAN_31, 8, review="held")
    run = bill_run_calculate(run=_run(clerk), actor=clerk)
    with pytest.raises(ServiceError) as caught:
        bill_run_review(run=run, actor=clerk)
    assert caught.value.message == OPEN_EXCEPTIONS.format(count=2)
    run.refresh_from_db()
    assert run.status == BillRun.Status.DRAFT


def test_a_held_bill_is_released_only_by_someone_other_than_its_holder(clerk, rates) -> None:
    acct = makers.account(billing_cycle=makers.cycle())
    makers.read(acct, JAN_31, 8)
    run = bill_run_calculate(run=_run(clerk), actor=clerk)
    bill = run.bills.get()
    bill_hold(bill=bill, reason="Customer disputes the read", actor=clerk)
    with pytest.raises(ServiceError) as caught:
        bill_release(bill=bill, reason="Looks fine", actor=clerk)
    assert caught.value.message == RELEASE_BY_HOLDER
    bill.refresh_from_db()
    assert bill.status == Bill.Status.HELD
    senior = staff_user(Role.CSR_SENIOR)
    bill_release(bill=bill, reason="Reread confirms it", actor=senior)
    bill.refresh_from_db()
    assert bill.status == Bill.Status.DRAFT


def test_a_held_bill_stays_out_of_posting(clerk, rates) -> None:
    accounts = _cycle_with_reads(3)
    run = bill_run_calculate(run=_run(clerk), actor=clerk)
    bill_hold(bill=run.bills.get(account=accounts[0]), reason="Leak reported", actor=clerk)
    run = bill_run_review(run=run, actor=clerk)
    run = bill_run_post(run=run, actor=clerk)
    assert run.status == BillRun.Status.POSTED
    assert run.bills.get(account=accounts[0]).status == Bill.Status.HELD
    assert run.bills.filter(status=Bill.Status.POSTED).count() == 2


def test_the_posted_result_equals_the_dry_run_line_for_line_and_ties_to_the_ledger(
    clerk, rates
) -> None:
    _cycle_with_reads(25)
    run = bill_run_calculate(run=_run(clerk), actor=clerk, chunk_size=4)
    dry = {b.account_id: (b.total_cents, line_values(b)) for b in run.bills.all()}
    run = bill_run_review(run=run, actor=clerk)
    run = bill_run_post(run=run, actor=clerk, chunk_size=4)
    posted = {b.account_id: (b.total_cents, line_values(b)) for b in run.bills.all()}
    assert posted == dry
    assert run.bills.exclude(status=Bill.Status.POSTED).count() == 0
    assert _bill_receivables() == sum(total for total, _ in dry.values())
    water = Posting.objects.filter(ledger_account__code=codes.REV_WATER).aggregate(
        s=Sum("amount_cents")
    )["s"]
    water_lines = sum(v[-2] for _, lines in dry.values() for v in lines if v[-1] == "water")
    assert -water == water_lines


def test_posting_twice_creates_nothing_new(clerk, rates) -> None:
    _cycle_with_reads(10)
    run = bill_run_review(run=bill_run_calculate(run=_run(clerk), actor=clerk), actor=clerk)
    bill_run_post(run=run, actor=clerk)
    entries = JournalEntry.objects.count()
    postings = Posting.objects.count()
    run = bill_run_post(run=run, actor=clerk)
    assert JournalEntry.objects.count() == entries
    assert Posting.objects.count() == postings
    assert run.bills_posted == 10


def test_each_bill_has_one_balanced_entry_keyed_by_the_bill(clerk, rates) -> None:
    _cycle_with_reads(3)
    run = bill_run_review(run=bill_run_calculate(run=_run(clerk), actor=clerk), actor=clerk)
    bill_run_post(run=run, actor=clerk)
    for bill in run.bills.all():
        entry = bill.journal_entry
        assert entry.idempotency_key == f"bill:{bill.pk}"
        assert sum(entry.postings.values_list("amount_cents", flat=True)) == 0
        receivable = entry.postings.filter(customer_account=bill.account).aggregate(
            s=Sum("amount_cents")
        )["s"]
        assert receivable == bill.total_cents


def test_an_exception_without_a_bill_is_released_and_the_run_moves_on(clerk, rates) -> None:
    cycle = makers.cycle()
    makers.account(billing_cycle=cycle, services=())
    run = bill_run_calculate(run=_run(clerk, cycle), actor=clerk)
    exception = run.exceptions.get()
    exception_release(exception=exception, reason="Closed account, billed by hand", actor=clerk)
    run = bill_run_review(run=run, actor=clerk)
    run = bill_run_issue(run=bill_run_post(run=run, actor=clerk), actor=clerk)
    assert run.status == BillRun.Status.ISSUED


def test_posting_an_unreviewed_run_is_refused(clerk, rates) -> None:
    _cycle_with_reads(2)
    run = bill_run_calculate(run=_run(clerk), actor=clerk)
    with pytest.raises(ServiceError):
        bill_run_post(run=run, actor=clerk)
    assert not JournalEntry.objects.filter(source="bill").exists()


def test_a_second_run_for_the_same_cycle_and_period_is_refused(clerk) -> None:
    _run(clerk)
    with pytest.raises(ServiceError) as caught:
        _run(clerk)
    assert caught.value.field == "period_start"


def test_an_account_already_billed_for_the_period_in_another_cycle_is_set_aside(
    clerk, rates
) -> None:
    # given an account billed for January in cycle C1, then moved to cycle C2
    (acct,) = _cycle_with_reads(1)
    first = bill_run_review(run=bill_run_calculate(run=_run(clerk), actor=clerk), actor=clerk)
    bill_run_post(run=first, actor=clerk)
    acct.premise.cycle = makers.cycle("C2")
    acct.premise.save()
    # when C2 is calculated for the same period
    second = bill_run_calculate(run=_run(clerk, makers.cycle("C2")), actor=clerk)
    # then the account is not billed twice: it is set aside with the reason
    assert not second.bills.exists()
    exception = second.exceptions.get()
    assert exception.kind == BillException.Kind.FAILED
    assert "Already billed for this period" in exception.detail
