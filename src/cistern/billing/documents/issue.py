"""Issuing a posted run's documents: every bill's PDF, the print file, and the e-mails.

The work comes in batches of bill ids (``document_batches``): a print batch of up to
``BATCH_SIZE`` paper bills (one print PDF, each bill's own PDF stored too) or a chunk of
``EMAIL_CHUNK`` paperless bills to e-mail. A batch is plain values and
``document_batch_build`` makes it, so a batch can run anywhere: here, in a child process
or on a Celery worker (``dispatch.bill_run_documents_dispatched``, which the ``billrun
issue`` command calls). ``bill_run_documents_issue`` makes them in this process, one after
another (the run page's buttons when no broker is configured). Either way
``documents_finish`` then writes the print file's index, which needs every batch's page
counts. Batches that nobody waits for (queued from the run page for the billing workers)
carry ``finish``: the print file that completes the set writes the index
(``documents_index_if_complete``).

Everything is idempotent, so running it again resumes an interrupted issue: a print batch
already built is kept (and not listed again), a bill's PDF is made once, and a bill already
e-mailed is not listed again nor sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cistern.billing.documents.delivery import bill_emails_send
from cistern.billing.documents.print_file import (
    BATCH_SIZE,
    paper_bill_ids,
    paperless_bill_ids,
    print_batch_build,
    print_index_build,
)
from cistern.billing.models import BillDocument, BillPrintBatch, BillPrintIndex, BillRun

EMAIL_CHUNK = 100
PRINT = "print"
EMAIL = "email"
BATCH_FAILED = (
    "Documents batch {index} ({kind} {seq}, {count} bills) failed: {error}. Fix the cause "
    "and build the documents again: finished batches are not redone."
)


@dataclass(frozen=True)
class IssueResult:
    printed: int
    batches: int
    emailed: int


@dataclass(frozen=True)
class DocumentBatch:
    """Print file ``seq`` of the run (its bills, in print order), or e-mail chunk ``seq``."""

    index: int
    kind: str
    seq: int
    bill_ids: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.bill_ids)


def document_batches(*, run_id: int, batch_size: int = BATCH_SIZE) -> list[DocumentBatch]:
    """What is still to make: the print files not yet built, then the paperless bills not
    yet e-mailed. Print file numbers follow the whole run's paper bills, built or not."""
    built = set(BillPrintBatch.objects.filter(run_id=run_id).values_list("seq", flat=True))
    paper = paper_bill_ids(run_id=run_id)
    work = [
        (PRINT, start // batch_size + 1, paper[start : start + batch_size])
        for start in range(0, len(paper), batch_size)
        if start // batch_size + 1 not in built
    ]
    emailed = set(
        BillDocument.objects.filter(bill__run_id=run_id, emailed_at__isnull=False).values_list(
            "bill_id", flat=True
        )
    )
    unsent = [pk for pk in paperless_bill_ids(run_id=run_id) if pk not in emailed]
    work += [
        (EMAIL, start // EMAIL_CHUNK + 1, unsent[start : start + EMAIL_CHUNK])
        for start in range(0, len(unsent), EMAIL_CHUNK)
    ]
    return [DocumentBatch(n, kind, seq, tuple(ids)) for n, (kind, seq, ids) in enumerate(work)]


def document_batch_payload(
    run_id: int, batch: DocumentBatch, *, batch_size: int = BATCH_SIZE, finish: bool = False
) -> dict[str, Any]:
    """A batch task's arguments: plain values and a key naming this batch of this run.
    ``finish``: after a print file, write the index if every print file is then made (for
    batches nobody waits for, ``dispatch.bill_run_documents_start``)."""
    return {
        "run_id": run_id,
        "index": batch.index,
        "kind": batch.kind,
        "seq": batch.seq,
        "bill_ids": list(batch.bill_ids),
        "batch_size": batch_size,
        "finish": finish,
        "key": f"billrun:{run_id}:{batch.kind}:{batch.seq}",
    }


def document_batch_build(payload: dict[str, Any], *, worker: str) -> dict[str, Any]:
    """Make one batch (``document_batch_payload``); returns what the dispatcher reports:
    the bills printed, or the bills e-mailed now."""
    run_id = payload["run_id"]
    if payload["kind"] == PRINT:
        batch = print_batch_build(run_id=run_id, seq=payload["seq"], bill_ids=payload["bill_ids"])
        count = batch.bill_count
        if payload.get("finish"):
            documents_index_if_complete(run_id=run_id, batch_size=payload["batch_size"])
    else:
        count = bill_emails_send(bill_ids=payload["bill_ids"])
    return {"index": payload["index"], "key": payload["key"], "count": count, "worker": worker}


def documents_index_if_complete(*, run_id: int, batch_size: int) -> bool:
    """Write the print file's index if every print file of the run is made and it has none
    yet; True if written. Under the run's row lock, so of two last print files finishing
    together one writes it."""
    with transaction.atomic():
        BillRun.objects.select_for_update().get(pk=run_id)
        if BillPrintIndex.objects.filter(run_id=run_id).exists():
            return False
        files = -(-len(paper_bill_ids(run_id=run_id)) // batch_size)  # ceil
        if BillPrintBatch.objects.filter(run_id=run_id).count() < files:
            return False
        print_index_build(run_id=run_id, batch_size=batch_size)
        return True


def batch_failure(batch: DocumentBatch, error: object) -> str:
    kinds = {PRINT: _("print file"), EMAIL: _("e-mails")}
    return _(BATCH_FAILED).format(
        index=batch.index, kind=kinds[batch.kind], seq=batch.seq, count=batch.size, error=error
    )


def documents_finish(*, run_id: int, batch_size: int, emailed: int) -> IssueResult:
    """The print file's index, once every batch is built; the run's figures."""
    index = print_index_build(run_id=run_id, batch_size=batch_size)
    batches = BillPrintBatch.objects.filter(run_id=run_id).count()
    return IssueResult(printed=index.bill_count, batches=batches, emailed=emailed)


def bill_run_documents_issue(*, run_id: int, batch_size: int = BATCH_SIZE) -> IssueResult:
    """Make what is left of an issued run's documents here, batch after batch."""
    BillRun.objects.get(pk=run_id)  # a run that does not exist says so here
    emailed = 0
    for batch in document_batches(run_id=run_id, batch_size=batch_size):
        done = document_batch_build(document_batch_payload(run_id, batch), worker="")
        emailed += done["count"] if batch.kind == EMAIL else 0
    return documents_finish(run_id=run_id, batch_size=batch_size, emailed=emailed)
