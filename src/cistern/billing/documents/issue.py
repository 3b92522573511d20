"""Issuing a posted run's documents: every bill's PDF, the print file, and the e-mails.

``bill_run_documents_issue`` runs the chunks in-process, one after another; each chunk is a
plain function of ids (``print_batch_build``, ``bill_emails_send``) so Celery workers can take
them later. Everything is idempotent, so running it again resumes an interrupted issue.
"""

from __future__ import annotations

from dataclasses import dataclass

from cistern.billing.documents.delivery import bill_emails_send
from cistern.billing.documents.print_file import (
    BATCH_SIZE,
    paperless_bill_ids,
    print_file_build,
)
from cistern.billing.models import BillRun

EMAIL_CHUNK = 100


@dataclass(frozen=True)
class IssueResult:
    printed: int
    batches: int
    emailed: int


def bill_run_documents_issue(*, run_id: int, batch_size: int = BATCH_SIZE) -> IssueResult:
    run = BillRun.objects.get(pk=run_id)
    index = print_file_build(run=run, batch_size=batch_size)
    emailed = 0
    ids = paperless_bill_ids(run_id=run_id)
    for start in range(0, len(ids), EMAIL_CHUNK):
        emailed += bill_emails_send(bill_ids=ids[start : start + EMAIL_CHUNK])
    return IssueResult(printed=index.bill_count, batches=run.print_batches.count(), emailed=emailed)
