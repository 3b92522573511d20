"""A bill run on two child processes (``workers=2``) equals the one-process run.

The children are forked from the test and open their own connections, so they must see the
test's committed data: ``transactional_db``, and on SQLite a database file instead of the
in-memory test database (which exists only in this process). A chunk that fails in a child
is made to fail by the database itself: a trigger refuses one account's bill, as a
constraint or a full disk would. Runs on both databases.
"""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Sum

from cistern.billing.chunks import Chunk, ChunksFailed
from cistern.billing.models import Bill, BillRun
from cistern.billing.services import (
    bill_run_calculate,
    bill_run_post,
    bill_run_review,
)
from cistern.billing.tasks import in_process_worker
from cistern.customers.models import Account
from cistern.ledger.chart_services import ledger_chart_seed
from cistern.ledger.models import JournalEntry
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.billing import makers
from tests.integration.billing.run_compare import cycle_with_run, run_bills, run_receivable

ACCOUNTS, CHUNK = 40, 5
REFUSED = "refused by the test"


def _clerk():
    ledger_chart_seed()
    makers.rate_schedules(staff_user(Role.MANAGER))
    return staff_user(Role.CSR_III)


def _billrun(*args: str) -> str:
    out = StringIO()
    call_command("billrun", *args, "--chunk-size", str(CHUNK), "--workers", "2", stdout=out)
    return out.getvalue()


def _refuse_bills_of(account_id: int) -> None:
    """A trigger that makes the database refuse this account's bill."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER test_refuse BEFORE INSERT ON billing_bill "
                f"WHEN NEW.account_id = {account_id} BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"
            )
            return
        cursor.execute(
            f"CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{REFUSED}'; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER test_refuse BEFORE INSERT ON billing_bill FOR EACH ROW "
            f"WHEN (NEW.account_id = {account_id}) EXECUTE FUNCTION test_refuse()"
        )


def _stop_refusing() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER test_refuse")
            return
        cursor.execute("DROP TRIGGER test_refuse ON billing_bill")
        cursor.execute("DROP FUNCTION test_refuse()")


def test_billrun_with_two_workers_equals_the_one_process_run(shared_database) -> None:
    # given two identical cycles
    clerk = _clerk()
    parallel = cycle_with_run("CP", clerk, ACCOUNTS)
    single = cycle_with_run("CS", clerk, ACCOUNTS)

    # when one run is calculated and posted by the command on two worker processes
    calculated = _billrun("calculate", str(parallel.pk))
    bill_run_review(run=parallel, actor=clerk)
    posted = _billrun("post", str(parallel.pk))
    # and the other in this process, one chunk after another
    single = bill_run_calculate(run=single, actor=clerk, chunk_size=CHUNK)
    bill_run_post(run=bill_run_review(run=single, actor=clerk), actor=clerk, chunk_size=CHUNK)

    # then the chunks ran in child processes, not here
    for output in (calculated, posted):
        line = next(x for x in output.splitlines() if x.startswith("Chunks by worker: "))
        names = dict(w.rsplit(" ", 1) for w in line.removeprefix("Chunks by worker: ").split(", "))
        assert in_process_worker() not in names
        assert sum(int(n) for n in names.values()) == ACCOUNTS // CHUNK
    # and every bill is posted exactly once, under its own ledger key
    parallel.refresh_from_db()
    single.refresh_from_db()
    assert parallel.status == BillRun.Status.POSTED and parallel.bills_posted == ACCOUNTS
    keys = Counter(
        JournalEntry.objects.filter(
            idempotency_key__in=[f"bill:{pk}" for pk in parallel.bills.values_list("pk", flat=True)]
        ).values_list("idempotency_key", flat=True)
    )
    assert len(keys) == ACCOUNTS and set(keys.values()) == {1}
    # and the result equals the one-process run bill for bill and line for line
    assert run_bills(parallel) == run_bills(single)
    assert parallel.total_cents == single.total_cents > 0
    # and the totals tie to the ledger
    assert run_receivable(parallel) == parallel.bills.aggregate(s=Sum("total_cents"))["s"]
    assert run_receivable(parallel) == run_receivable(single)

    # and a further post bills nothing
    entries = JournalEntry.objects.count()
    again = _billrun("post", str(parallel.pk))
    assert f"Posted {ACCOUNTS} bills" in again
    assert JournalEntry.objects.count() == entries


def test_a_chunk_failing_in_a_child_is_reported_and_the_run_resumes(shared_database) -> None:
    # given a run whose fourth chunk the database will refuse
    clerk = _clerk()
    run = cycle_with_run("CF", clerk, ACCOUNTS)
    reference = cycle_with_run("CR", clerk, ACCOUNTS)
    accounts = sorted(
        Account.objects.filter(premise__cycle__code="CF").values_list("pk", flat=True)
    )
    _refuse_bills_of(accounts[3 * CHUNK + 2])

    # when the command calculates it on two worker processes
    with pytest.raises(CommandError) as failed:
        _billrun("calculate", str(run.pk))

    # then it names the chunk that failed and why
    first, last = accounts[3 * CHUNK], accounts[4 * CHUNK - 1]
    assert f"Chunk 3 (accounts {first} to {last}) failed" in failed.value.args[0]
    assert REFUSED in failed.value.args[0]
    # and the failed chunk wrote nothing, while other chunks stand committed
    drafts = set(run.bills.values_list("account_id", flat=True))
    assert not drafts & set(accounts[3 * CHUNK : 4 * CHUNK])
    assert drafts and len(drafts) % CHUNK == 0

    # when the cause is fixed and the run calculated again, then posted, on two processes
    _stop_refusing()
    run = bill_run_calculate(run=run, actor=clerk, chunk_size=CHUNK, workers=2)
    run = bill_run_post(
        run=bill_run_review(run=run, actor=clerk), actor=clerk, chunk_size=CHUNK, workers=2
    )
    reference = bill_run_calculate(run=reference, actor=clerk, chunk_size=CHUNK)

    # then every account is billed once, as in the one-process run, and ties to the ledger
    assert run.status == BillRun.Status.POSTED and run.bills_posted == ACCOUNTS
    assert [b[1:] for b in run_bills(run)] == [b[1:] for b in run_bills(reference)]
    assert run_receivable(run) == run.total_cents == reference.total_cents > 0
    # and posting again on two processes posts nothing
    entries = JournalEntry.objects.count()
    again = bill_run_post(run=run, actor=clerk, chunk_size=CHUNK, workers=2)
    assert again.bills_posted == ACCOUNTS and JournalEntry.objects.count() == entries
    assert not run.bills.exclude(status=Bill.Status.POSTED).exists()


def test_the_fault_hook_needs_one_worker(shared_database) -> None:
    clerk = _clerk()
    run = cycle_with_run("CH", clerk, ACCOUNTS)
    with pytest.raises(ValueError, match="workers=1"):
        bill_run_calculate(run=run, actor=clerk, workers=2, fault=lambda chunk, position: None)
    assert not run.bills.exists()


def test_chunks_failed_is_a_service_error_naming_each_chunk() -> None:
    error = ChunksFailed([(Chunk(2, 11, 15, 5), "boom"), (Chunk(5, 26, 30, 5), "bang")])
    assert "Chunk 2 (accounts 11 to 15) failed: boom" in error.message
    assert "Chunk 5 (accounts 26 to 30) failed: bang" in error.message
