"""The mail vendor's print file for an issued run: PDFs of up to N bills and a CSV index.

Bills go in account-number order. Paperless accounts (an open "paperless" flag and a primary
e-mail address) are left out: they get their bill by e-mail (``delivery``). Each batch is
built by ``print_batch_build`` from a list of bill ids, so batches can run anywhere (a child
process, a Celery worker: ``issue``); a batch already built is kept, so building again resumes
where it stopped. The index is written last, from every batch's page counts.
"""

from __future__ import annotations

import csv
import hashlib
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cistern.billing.documents.context import mailing_lines
from cistern.billing.documents.render import bill_document_save, bill_layout
from cistern.billing.models import Bill, BillDocument, BillPrintBatch, BillPrintIndex
from cistern.customers.models import AccountFlag, CustomerEmail, FlagKind

BATCH_SIZE = 500
INDEX_HEADER = [
    "sequence", "account_number", "name", "address_line_1", "address_line_2",
    "address_line_3", "address_line_4", "page_count", "file", "page_offset",
]  # fmt: skip


def _paperless_filter():
    flag = AccountFlag.objects.filter(
        account_id=OuterRef("account_id"), kind=FlagKind.PAPERLESS, cleared_on__isnull=True
    )
    email = CustomerEmail.objects.filter(
        customer_id=OuterRef("account__customer_id"), is_primary=True
    )
    return Exists(flag) & Exists(email)


def run_bills(run_id: int):
    return Bill.objects.filter(run_id=run_id, status=Bill.Status.POSTED)


def paper_bill_ids(*, run_id: int) -> list[int]:
    rows = run_bills(run_id).exclude(_paperless_filter()).order_by("account__number", "id")
    return list(rows.values_list("id", flat=True))


def paperless_bill_ids(*, run_id: int) -> list[int]:
    rows = run_bills(run_id).filter(_paperless_filter()).order_by("account__number", "id")
    return list(rows.values_list("id", flat=True))


def _bills(bill_ids: list[int]) -> list[Bill]:
    found = Bill.objects.select_related("account", "account__customer", "account__premise")
    by_id = {bill.pk: bill for bill in found.filter(pk__in=bill_ids)}
    return [by_id[pk] for pk in bill_ids if pk in by_id]


def print_batch_build(*, run_id: int, seq: int, bill_ids: list[int]) -> BillPrintBatch:
    """One print PDF of these bills (their pages in order); stores each bill's own PDF too."""
    existing = BillPrintBatch.objects.filter(run_id=run_id, seq=seq).first()
    if existing is not None:
        return existing
    rendered = [bill_layout(bill=bill) for bill in _bills(bill_ids)]
    for item in rendered:
        bill_document_save(rendered=item)
    pages = [page for item in rendered for page in item.document.pages]
    data = rendered[0].document.copy(pages).write_pdf() if rendered else b""
    batch = BillPrintBatch(
        run_id=run_id, seq=seq, bill_count=len(rendered), page_count=len(pages),
        sha256=hashlib.sha256(data).hexdigest(), built_at=timezone.now(),
    )  # fmt: skip
    with transaction.atomic():
        batch.pdf.save(batch.filename, ContentFile(data), save=False)
        batch.save()
    return batch


def print_index_build(*, run_id: int, batch_size: int = BATCH_SIZE) -> BillPrintIndex:
    """The CSV index of the run's print batches: which file and page each bill starts on."""
    bill_ids = paper_bill_ids(run_id=run_id)
    pages = dict(
        BillDocument.objects.filter(bill_id__in=bill_ids).values_list("bill_id", "page_count")
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(INDEX_HEADER)
    for start in range(0, len(bill_ids), batch_size):
        filename = BillPrintBatch(run_id=run_id, seq=start // batch_size + 1).filename
        offset = 1
        for position, bill in enumerate(_bills(bill_ids[start : start + batch_size]), start):
            address = ([*mailing_lines(bill), "", "", "", "", ""])[1:5]
            count = pages.get(bill.pk, 1)
            writer.writerow(
                [position + 1, bill.account.number, bill.account.customer.display_name,
                 *address, count, filename, offset]
            )  # fmt: skip
            offset += count
    data = out.getvalue().encode()
    BillPrintIndex.objects.filter(run_id=run_id).delete()
    index = BillPrintIndex(run_id=run_id, bill_count=len(bill_ids), built_at=timezone.now())
    index.csv.save(f"run{run_id}-index.csv", ContentFile(data), save=False)
    index.save()
    return index
