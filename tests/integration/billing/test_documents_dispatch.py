"""Issuing a run's documents on two child processes, and from the command line.

The children are forked from the test and open their own connections (``shared_database``:
committed data, on SQLite a database file). Each makes whole batches: a print file, or a
chunk of e-mails (sent from the child, so checked by the documents' ``emailed_at``, not the
test's outbox). Runs on both databases.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cistern.billing.chunks import ChunksFailed
from cistern.billing.documents.dispatch import bill_run_documents_dispatched
from cistern.billing.documents.issue import (
    EMAIL,
    PRINT,
    DocumentBatch,
    batch_failure,
    document_batch_build,
    document_batch_payload,
    document_batches,
)
from cistern.billing.documents.print_file import paper_bill_ids
from cistern.billing.models import BillDocument, BillPrintBatch, BillPrintIndex, BillRun
from cistern.billing.services import bill_run_create, bill_run_issue
from cistern.ledger.chart_services import ledger_chart_seed
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.billing import makers
from tests.integration.billing.test_documents_support import JAN_1, JAN_31, two_months

PAPER, PAPERLESS = 5, 2


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _posted_run():
    """Seven accounts' January run, posted: five on paper, two paperless."""
    ledger_chart_seed()
    clerk = staff_user(Role.CSR_III)
    makers.rate_schedules(staff_user(Role.MANAGER))
    accounts, run = two_months(clerk, PAPER + PAPERLESS, paperless=PAPERLESS)
    return clerk, accounts, run


def _index(run: BillRun) -> list[dict[str, str]]:
    run.refresh_from_db()
    return list(csv.DictReader(io.StringIO(run.print_index.csv.open("rb").read().decode())))


def test_two_processes_make_every_document_once_and_resume_with_nothing_left(
    shared_database,
) -> None:
    # given a posted run issued without its documents
    clerk, accounts, run = _posted_run()
    bill_run_issue(run=run, actor=clerk, documents=False)
    # and its work: three print files of two bills (the last of one) and one e-mail chunk
    batches = document_batches(run_id=run.pk, batch_size=2)
    assert [(b.kind, b.seq, b.size) for b in batches] == [
        (PRINT, 1, 2), (PRINT, 2, 2), (PRINT, 3, 1), (EMAIL, 1, 2),
    ]  # fmt: skip

    # when two child processes make them
    report = bill_run_documents_dispatched(run_id=run.pk, batch_size=2, workers=2)

    # then both processes made batches, every batch once
    assert len(report.batches_by_worker) == 2 and sum(report.batches_by_worker.values()) == 4
    assert report.result.printed == PAPER and report.result.batches == 3
    assert report.result.emailed == PAPERLESS
    # and every bill has exactly one document, the paperless ones e-mailed
    assert BillDocument.objects.filter(bill__run=run).count() == PAPER + PAPERLESS
    emailed = BillDocument.objects.filter(bill__run=run, emailed_at__isnull=False)
    assert {d.bill.account_id for d in emailed} == {a.pk for a in accounts[:PAPERLESS]}
    # and the index lists the paper bills in print order, each in its batch's file
    rows = _index(run)
    numbers = [run.bills.get(pk=pk).account.number for pk in paper_bill_ids(run_id=run.pk)]
    assert [r["account_number"] for r in rows] == numbers
    files = [b.filename for b in BillPrintBatch.objects.filter(run=run).order_by("seq")]
    assert [r["file"] for r in rows] == [files[0]] * 2 + [files[1]] * 2 + [files[2]]

    # when the documents are made again
    again = bill_run_documents_dispatched(run_id=run.pk, batch_size=2, workers=2)
    # then there is nothing left to make, and nothing is made or sent twice
    assert document_batches(run_id=run.pk, batch_size=2) == []
    assert again.batches_by_worker == {} and again.result.emailed == 0
    assert again.result.printed == PAPER and again.result.batches == 3
    assert BillDocument.objects.filter(bill__run=run).count() == PAPER + PAPERLESS


def test_a_print_file_already_built_is_not_listed_again(shared_database) -> None:
    # given an issued run whose first print file was built before an interruption
    clerk, _accounts, run = _posted_run()
    bill_run_issue(run=run, actor=clerk, documents=False)
    [first, *_rest] = document_batches(run_id=run.pk, batch_size=2)
    bill_run_documents_dispatched(run_id=run.pk, batch_size=2, workers=1)
    BillPrintBatch.objects.filter(run=run).exclude(seq=first.seq).delete()
    # when the work is listed again
    left = document_batches(run_id=run.pk, batch_size=2)
    # then the built file is kept and the others keep their numbers
    assert [(b.kind, b.seq) for b in left] == [(PRINT, 2), (PRINT, 3)]


def test_the_print_file_that_completes_the_set_writes_the_index_once(shared_database) -> None:
    # given an issued run's batches as the run page queues them for the workers
    clerk, _accounts, run = _posted_run()
    bill_run_issue(run=run, actor=clerk, documents=False)
    batches = document_batches(run_id=run.pk, batch_size=2)
    payloads = [
        document_batch_payload(run.pk, b, batch_size=2, finish=True) for b in batches
    ]  # fmt: skip
    prints = [p for p in payloads if p["kind"] == PRINT]

    # when they are made in any order, the index waits for the last print file
    for payload in [prints[2], prints[0], *[p for p in payloads if p["kind"] == EMAIL]]:
        document_batch_build(payload, worker="test")
        assert not BillPrintIndex.objects.filter(run=run).exists()
    document_batch_build(prints[1], worker="test")

    # then the last one wrote it, listing every paper bill
    assert [r["account_number"] for r in _index(run)] == [
        run.bills.get(pk=pk).account.number for pk in paper_bill_ids(run_id=run.pk)
    ]
    # and a print file made again (a redelivered task) leaves the one index as it was
    written = BillPrintIndex.objects.get(run=run).built_at
    document_batch_build(prints[0], worker="test")
    assert BillPrintIndex.objects.get(run=run).built_at == written


def test_the_command_issues_a_run_and_running_it_again_makes_nothing_twice(
    shared_database,
) -> None:
    # given a posted run
    _clerk, _accounts, run = _posted_run()
    args = ["billrun", "issue", str(run.pk), "--batch-size", "2", "--workers", "2"]

    # when it is issued from the command line on two processes
    out = StringIO()
    call_command(*args, stdout=out)

    # then the run is issued and its documents made
    run.refresh_from_db()
    assert run.status == BillRun.Status.ISSUED
    text = out.getvalue()
    assert f"Bill run {run.pk} issued." in text and "Batches by worker:" in text
    assert f"{PAPER} bills in 3 print files; {PAPERLESS} e-mailed now." in text
    # and the same command again resumes with nothing left
    again = StringIO()
    call_command(*args, stdout=again)
    assert "issued." not in again.getvalue() and "Batches by worker" not in again.getvalue()
    assert f"{PAPER} bills in 3 print files; 0 e-mailed now." in again.getvalue()


def test_the_command_refuses_a_run_that_is_not_posted(shared_database) -> None:
    # given a run not yet calculated
    ledger_chart_seed()
    clerk = staff_user(Role.CSR_III)
    makers.rate_schedules(staff_user(Role.MANAGER))
    run = bill_run_create(
        cycle=makers.cycle(), period_start=JAN_1, period_end=JAN_31,
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip
    # when it is issued, then the command says why and makes nothing
    with pytest.raises(
        CommandError, match=re.escape("The run is Draft; this step needs it posted.")
    ):
        call_command("billrun", "issue", str(run.pk), "--workers", "1", stdout=StringIO())
    assert not BillDocument.objects.exists() and not BillPrintBatch.objects.exists()


def test_a_failed_batch_is_named_by_its_print_file_or_e_mails() -> None:
    error = ChunksFailed(
        [
            (DocumentBatch(2, PRINT, 3, (7, 8)), "disk full"),
            (DocumentBatch(4, EMAIL, 1, (9,)), "x"),
        ],
        batch_failure,
    )
    assert "Documents batch 2 (print file 3, 2 bills) failed: disk full." in error.message
    assert "Documents batch 4 (e-mails 1, 1 bills) failed: x." in error.message
