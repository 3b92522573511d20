"""A posting chunk works out its entries before its transaction; what changed meanwhile wins.

``bill_run_post_chunk`` reads the chunk's drafts and their sums, and computes every entry,
before it opens its transaction (so on SQLite another process writes meanwhile). Between the
two, people and processes go on: a bill may be held, released, or recalculated (deleted and
written again under a new id). Each test does one of these right after the chunk's plan is
made, then checks that what was posted is what the bills say *inside* the transaction.
On SQLite the plan's entries are also staged then (temporary scratch tables, no lock):
nothing staged may be posted for a bill that dropped out, nor outlive the write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date

import pytest

from cistern.billing import posting
from cistern.billing.models import Bill, BillLine, BillRun
from cistern.billing.services import (
    bill_hold,
    bill_release,
    bill_run_calculate,
    bill_run_create,
    bill_run_post,
    bill_run_review,
)
from cistern.ledger.checks import ledger_check
from cistern.ledger.models import JournalEntry
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.billing import makers
from tests.integration.ledger.faults import REFUSED, refuse_postings_of, staged_rows

pytestmark = pytest.mark.django_db
JAN_1, JAN_31 = date(2025, 1, 1), date(2025, 1, 31)


def _reviewed_run(clerk, count: int) -> BillRun:
    cycle = makers.cycle()
    for n in range(count):
        makers.read(makers.account(billing_cycle=cycle), JAN_31, 4 + n)
    run = bill_run_create(
        cycle=cycle, period_start=JAN_1, period_end=JAN_31,
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip
    return bill_run_review(run=bill_run_calculate(run=run, actor=clerk), actor=clerk)


def _meanwhile(monkeypatch, action: Callable[[], None]) -> None:
    """Run ``action`` once, just after the (first) chunk's plan is made: another user or
    process acting between the chunk's reading and its transaction."""
    made = posting._plan_or_none
    done = []

    def plan_then_act(run_id, bills):
        plan = made(run_id, bills)
        if not done:
            done.append(True)
            action()
        return plan

    monkeypatch.setattr(posting, "_plan_or_none", plan_then_act)


def _sums(bill: Bill) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for category, cents in bill.lines.values_list("category", "amount_cents"):
        sums[category] += cents
    return {category: cents for category, cents in sums.items() if cents}


def _receivable_sums(entry: JournalEntry) -> dict[str, int]:
    return {
        p.charge_category: p.amount_cents
        for p in entry.postings.filter(customer_account_id__isnull=False)
    }


def test_a_bill_held_after_its_chunk_was_planned_is_left_held(clerk, rates, monkeypatch):
    # given a reviewed run, and a bill held by someone after the chunk read it
    run = _reviewed_run(clerk, 5)
    held = run.bills.order_by("account_id")[2]
    _meanwhile(monkeypatch, lambda: bill_hold(bill=held, reason="Customer disputes", actor=clerk))
    # when the run posts
    bill_run_post(run=run, actor=clerk)
    # then that bill is still held, with no entry; the others posted
    held.refresh_from_db()
    assert held.status == Bill.Status.HELD and held.journal_entry_id is None
    assert not JournalEntry.objects.filter(idempotency_key=f"bill:{held.pk}").exists()
    assert run.bills.filter(status=Bill.Status.POSTED).count() == 4
    assert all(not problems for problems in ledger_check().values())


def test_a_bill_released_after_its_chunk_was_planned_posts_with_its_lines(
    clerk, rates, monkeypatch
):
    # given a run with a held bill in the middle of the chunk, released after the chunk
    # was read (so the plan made before the transaction does not know it)
    run = _reviewed_run(clerk, 5)
    bill = run.bills.order_by("account_id")[2]
    bill_hold(bill=bill, reason="Check the read", actor=clerk)
    run = bill_run_review(run=run, actor=clerk)
    releaser = staff_user(Role.MANAGER)
    _meanwhile(monkeypatch, lambda: bill_release(bill=bill, reason="Read ok", actor=releaser))
    # when the run posts
    run = bill_run_post(run=run, actor=clerk)
    # then the released bill posted too, its entry summing its own lines
    bill.refresh_from_db()
    assert bill.status == Bill.Status.POSTED
    assert _receivable_sums(bill.journal_entry) == _sums(bill)
    assert run.bills.filter(status=Bill.Status.POSTED).count() == 5
    assert run.status == BillRun.Status.POSTED
    assert all(not problems for problems in ledger_check().values())


def test_a_bill_rewritten_after_its_chunk_was_planned_posts_as_rewritten(clerk, rates, monkeypatch):
    # given a bill deleted and written again under a new id with other lines after the
    # chunk read it (as a recalculation does)
    run = _reviewed_run(clerk, 5)
    old_pk = run.bills.order_by("account_id")[2].pk
    rewritten: list[Bill] = []

    def rewrite() -> None:
        new = Bill.objects.get(pk=old_pk)
        lines = list(new.lines.order_by("seq"))
        Bill.objects.filter(pk=old_pk).delete()
        new.pk = None
        new.save()
        for line in lines:
            line.pk, line.bill, line.amount_cents = None, new, line.amount_cents + 100
        BillLine.objects.bulk_create(lines)
        rewritten.append(new)

    _meanwhile(monkeypatch, rewrite)
    # when the run posts
    bill_run_post(run=run, actor=clerk)
    # then nothing was posted under the old bill's key, and the new bill's entry sums the
    # new lines (not the sums read before it was rewritten)
    (new,) = rewritten
    new.refresh_from_db()
    assert not JournalEntry.objects.filter(idempotency_key=f"bill:{old_pk}").exists()
    assert new.status == Bill.Status.POSTED
    assert new.journal_entry.idempotency_key == f"bill:{new.pk}"
    assert _receivable_sums(new.journal_entry) == _sums(new)
    assert run.bills.filter(status=Bill.Status.POSTED).count() == 5
    assert all(not problems for problems in ledger_check().values())


def _each_posted_bill_sums_its_own_lines(run: BillRun) -> None:
    for bill in run.bills.filter(status=Bill.Status.POSTED).select_related("journal_entry"):
        assert bill.journal_entry.idempotency_key == f"bill:{bill.pk}"
        assert _receivable_sums(bill.journal_entry) == _sums(bill)


def test_a_bill_held_after_its_chunk_was_staged_is_left_out_and_nothing_stays_staged(
    clerk, rates, monkeypatch
):
    # given a reviewed run whose chunk is planned and staged, then one bill held
    run = _reviewed_run(clerk, 5)
    held = run.bills.order_by("account_id")[1]
    _meanwhile(monkeypatch, lambda: bill_hold(bill=held, reason="Customer disputes", actor=clerk))
    # when the run posts
    bill_run_post(run=run, actor=clerk)
    # then the held bill has no entry, the others posted with their own lines
    held.refresh_from_db()
    assert held.status == Bill.Status.HELD and held.journal_entry_id is None
    assert not JournalEntry.objects.filter(idempotency_key=f"bill:{held.pk}").exists()
    assert run.bills.filter(status=Bill.Status.POSTED).count() == 4
    assert JournalEntry.objects.filter(idempotency_key__startswith="bill:").count() == 4
    _each_posted_bill_sums_its_own_lines(run)
    # and nothing is left in the scratch tables
    assert staged_rows() == (0, 0, 0)
    assert all(not problems for problems in ledger_check().values())


def test_a_chunk_whose_write_failed_leaves_nothing_the_next_chunk_posts(clerk, rates):
    # given a run of two chunks, and a database that refuses any posting for the first
    # chunk's first account (so that chunk's set-based write fails and rolls back, then
    # posts bill by bill, and that bill is held)
    run = _reviewed_run(clerk, 6)
    bills = list(run.bills.order_by("account_id"))
    refused = bills[0]
    refuse_postings_of(refused.account_id)
    # when the run posts
    bill_run_post(run=run, actor=clerk, chunk_size=3)
    # then the refused bill is held with no entry, every other bill posted once with its
    # own lines (none with the failed chunk's staged rows), and nothing stays staged
    refused.refresh_from_db()
    assert refused.status == Bill.Status.HELD and REFUSED in refused.held_reason
    assert not JournalEntry.objects.filter(idempotency_key=f"bill:{refused.pk}").exists()
    assert run.bills.filter(status=Bill.Status.POSTED).count() == 5
    assert JournalEntry.objects.filter(idempotency_key__startswith="bill:").count() == 5
    _each_posted_bill_sums_its_own_lines(run)
    assert staged_rows() == (0, 0, 0)
    assert all(not problems for problems in ledger_check().values())
