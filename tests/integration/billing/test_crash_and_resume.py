"""Posting survives a crash at any chunk: run the same command again, nothing doubled or lost.

The fault hook on the chunk runner raises inside a chunk's transaction, like a worker dying
mid-chunk; chunks already committed stay, the chunk in flight rolls back whole.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from cistern.billing.lines import line_values
from cistern.billing.models import Bill, BillRun
from cistern.billing.services import (
    bill_run_calculate,
    bill_run_create,
    bill_run_post,
    bill_run_review,
)
from cistern.ledger.models import JournalEntry, Posting
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db
ACCOUNTS, CHUNK = 40, 6


class WorkerDied(RuntimeError):
    pass


def _reviewed_run(clerk) -> BillRun:
    cycle = makers.cycle()
    for n in range(ACCOUNTS):
        acct = makers.account(billing_cycle=cycle)
        makers.read(acct, date(2025, 1, 31), 3 + n % 17)
    run = bill_run_create(
        cycle=cycle, period_start=date(2025, 1, 1), period_end=date(2025, 1, 31),
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip
    return bill_run_review(run=bill_run_calculate(run=run, actor=clerk), actor=clerk)


def _crash_at(chunk: int, position: int):
    def fault(chunk_index: int, bill_position: int) -> None:
        if (chunk_index, bill_position) == (chunk, position):
            raise WorkerDied(f"killed in chunk {chunk} at bill {position}")

    return fault


@pytest.mark.parametrize("seed", [3, 17, 2026])
def test_a_crash_at_a_random_chunk_is_resumed_with_no_duplicate_or_missing_bill(
    clerk, rates, seed
) -> None:
    # given a reviewed run of 40 accounts in chunks of 6, and its dry-run lines
    run = _reviewed_run(clerk)
    dry = {b.account_id: line_values(b) for b in run.bills.all()}
    chunks = -(-ACCOUNTS // CHUNK)
    rng = random.Random(seed)
    crash_chunk, crash_position = rng.randrange(chunks), rng.randrange(CHUNK - 2)

    # when posting dies in the middle of a chunk
    with pytest.raises(WorkerDied):
        bill_run_post(
            run=run, actor=clerk, chunk_size=CHUNK, fault=_crash_at(crash_chunk, crash_position)
        )
    # then the chunks before it are committed and the one in flight rolled back whole
    assert Bill.objects.filter(status=Bill.Status.POSTED).count() == crash_chunk * CHUNK
    assert JournalEntry.objects.filter(source="bill").count() == crash_chunk * CHUNK

    # when the same command runs again
    run = bill_run_post(run=run, actor=clerk, chunk_size=CHUNK)

    # then every bill is posted exactly once, as the dry run computed it
    assert run.status == BillRun.Status.POSTED
    assert run.bills.filter(status=Bill.Status.POSTED).count() == ACCOUNTS
    assert run.bills_posted == ACCOUNTS
    keys = Counter(
        JournalEntry.objects.filter(source="bill").values_list("idempotency_key", flat=True)
    )
    assert len(keys) == ACCOUNTS and set(keys.values()) == {1}
    assert {b.account_id: line_values(b) for b in run.bills.all()} == dry
    # and the totals tie to the ledger
    bill_total = run.bills.aggregate(s=Sum("total_cents"))["s"]
    receivable = Posting.objects.filter(
        entry__source="bill", customer_account__isnull=False
    ).aggregate(s=Sum("amount_cents"))["s"]
    assert bill_total == receivable

    # and a further run bills nothing
    entries = JournalEntry.objects.count()
    bill_run_post(run=run, actor=clerk, chunk_size=CHUNK)
    assert JournalEntry.objects.count() == entries


def test_a_crash_while_calculating_is_resumed_by_calculating_again(clerk, rates) -> None:
    cycle = makers.cycle()
    for n in range(12):
        makers.read(makers.account(billing_cycle=cycle), date(2025, 1, 31), 4 + n)
    run = bill_run_create(
        cycle=cycle, period_start=date(2025, 1, 1), period_end=date(2025, 1, 31),
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip
    with pytest.raises(WorkerDied):
        bill_run_calculate(run=run, actor=clerk, chunk_size=5, fault=_crash_at(1, 2))
    assert run.bills.count() == 5
    run = bill_run_calculate(run=run, actor=clerk, chunk_size=5)
    assert run.bills.count() == 12
    assert Counter(run.bills.values_list("account_id", flat=True)).most_common(1)[0][1] == 1
    assert not JournalEntry.objects.filter(source="bill").exists()


def test_billing_check_finds_the_bills_sound_after_a_crash_and_resume(clerk, rates) -> None:
    run = _reviewed_run(clerk)
    with pytest.raises(WorkerDied):
        bill_run_post(run=run, actor=clerk, chunk_size=CHUNK, fault=_crash_at(2, 1))
    bill_run_post(run=run, actor=clerk, chunk_size=CHUNK)
    out = StringIO()
    call_command("billing_check", stdout=out)
    assert "The bills are sound." in out.getvalue()


def test_billing_check_reports_a_bill_whose_lines_do_not_add_up(clerk, rates) -> None:
    run = _reviewed_run(clerk)
    Bill.objects.filter(pk=run.bills.first().pk).update(total_cents=1)
    with pytest.raises(CommandError, match="billing-check found"):
        call_command("billing_check", stdout=StringIO())
