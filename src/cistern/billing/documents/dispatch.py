"""Issuing a run's documents on several processes: Celery workers, else children of this one.

PDF layout is the slow part of issuing (on the benchmark machine 150-200 ms of one core a
bill, `benchmarks/RESULTS.md`): one process makes a 100,000-account cycle's documents in
four to five hours. ``bill_run_documents_dispatched`` spreads the run's batches
(``issue.document_batches``: print files of 500 bills, chunks of 100 e-mails) as the bill
run's chunks are spread (``billing.dispatch``): one task per batch to the billing queue when
a broker is configured, else ``workers`` child processes forked from this one. The same plain
function makes a batch everywhere (``issue.document_batch_build``); the print file's index is
written here once every batch is built.

Safe to run again: batches already made are not listed again, so an interrupted issue
resumes where it stopped and no e-mail goes twice.

The run page does not wait: ``bill_run_documents_start`` queues the batches for the billing
workers when a broker is configured (the print file that completes the set writes the
index) and returns; without a broker it makes them in the web server, as before.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from cistern.billing import tasks
from cistern.billing.chunks import ChunkDone, ProgressHook, chunk_results
from cistern.billing.dispatch import await_tasks, broker_configured
from cistern.billing.documents.issue import (
    EMAIL,
    PRINT,
    DocumentBatch,
    IssueResult,
    batch_failure,
    bill_run_documents_issue,
    document_batch_build,
    document_batch_payload,
    document_batches,
    documents_finish,
    documents_index_if_complete,
)
from cistern.billing.documents.print_file import BATCH_SIZE
from cistern.billing.models import BillRun


@dataclass(frozen=True)
class DocumentsReport:
    """What an issue made: the run's figures, and how many batches each worker made."""

    result: IssueResult
    batches_by_worker: dict[str, int]


def bill_run_documents_dispatched(
    *,
    run_id: int,
    batch_size: int = BATCH_SIZE,
    on_batch: ProgressHook | None = None,
    workers: int = 1,
) -> DocumentsReport:
    """Make what is left of an issued run's documents, its batches spread over Celery
    workers (a broker configured) or ``workers`` processes; then the print file's index."""
    BillRun.objects.get(pk=run_id)
    batches = document_batches(run_id=run_id, batch_size=batch_size)
    payloads = [document_batch_payload(run_id, b, batch_size=batch_size) for b in batches]
    progress = _Progress(batches, on_batch)
    if broker_configured():
        limit = settings.CISTERN_DISPATCH_TIMEOUT_SECONDS
        results = await_tasks(
            tasks.document_batch_task,
            payloads,
            done=progress.done,
            failed=lambda index, error: batch_failure(batches[index], error),
            limit=limit,
        )
    else:
        worker = tasks.in_process_worker

        def work(batch: DocumentBatch) -> dict[str, Any]:
            return document_batch_build(payloads[batch.index], worker=worker())

        ran = chunk_results(batches, work, workers=workers, describe=batch_failure)
        results = [progress.done(result) for _batch, result in ran]
    emailed = sum(r["count"] for r in results if batches[r["index"]].kind == EMAIL)
    finished = documents_finish(run_id=run_id, batch_size=batch_size, emailed=emailed)
    return DocumentsReport(finished, dict(Counter(r["worker"] for r in results)))


@dataclass(frozen=True)
class DocumentsQueued:
    """Batches sent to the billing workers, which nobody waits for."""

    batches: int


def bill_run_documents_start(
    *, run_id: int, batch_size: int = BATCH_SIZE
) -> IssueResult | DocumentsQueued:
    """The run page's way (marking a run issued, "Build documents"): with a broker, send
    what is left to the billing workers and return at once, the print file that completes
    the set writing the index; without one, make it all here (``bill_run_documents_issue``).
    """
    if not broker_configured():
        return bill_run_documents_issue(run_id=run_id, batch_size=batch_size)
    batches = document_batches(run_id=run_id, batch_size=batch_size)
    for batch in batches:
        payload = document_batch_payload(run_id, batch, batch_size=batch_size, finish=True)
        tasks.document_batch_task.apply_async(
            args=[payload], task_id=f"{payload['key']}:{uuid.uuid4().hex[:12]}"
        )
    if not any(batch.kind == PRINT for batch in batches):
        # every print file made (or none to make): the index now, if it is missing
        documents_index_if_complete(run_id=run_id, batch_size=batch_size)
    return DocumentsQueued(len(batches))


class _Progress:
    """Reports each batch as it arrives: bills done of the bills to make."""

    def __init__(self, batches: list[DocumentBatch], on_batch: ProgressHook | None) -> None:
        self.batches = batches
        self.total = sum(b.size for b in batches)
        self.done_bills = 0
        self.on_batch = on_batch

    def done(self, result: dict[str, Any]) -> dict[str, Any]:
        batch = self.batches[result["index"]]
        self.done_bills += batch.size
        if self.on_batch is not None:
            self.on_batch(ChunkDone(batch, len(self.batches), self.done_bills, self.total))
        return result
