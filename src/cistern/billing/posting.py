"""Posting a reviewed bill run: each draft bill and its one balanced journal entry.

Chunks of accounts commit independently. Each bill posts inside its own savepoint under
idempotency key ``bill:<id>``, so running the post again (after a crash, or twice) posts
nothing twice: posted bills are skipped and a replayed key returns the entry already
written (reliability.md I7). A bill whose posting fails is held with the reason and the run
goes on; releasing it lets the next post pick it up.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.billing.chunks import (
    DEFAULT_CHUNK_SIZE,
    FaultHook,
    ProgressHook,
    account_chunks,
    run_chunks,
)
from cistern.billing.domain.entries import bill_legs
from cistern.billing.models import Bill, BillException, BillRun
from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.ledger.models import JournalEntry
from cistern.ledger.services import journal_entry_post

RUN_NOT_REVIEWED = "Review the run before posting it (it is {status})."
SOURCE_BILL = "bill"


def bill_run_post(
    *,
    run: BillRun,
    actor: Any,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_chunk: ProgressHook | None = None,
    fault: FaultHook | None = None,
) -> BillRun:
    """Post every draft bill of a reviewed run; safe to run again (resumes, never doubles)."""
    run = BillRun.objects.get(pk=run.pk)
    if run.status not in (BillRun.Status.REVIEWED, BillRun.Status.POSTED):
        raise ServiceError(_(RUN_NOT_REVIEWED).format(status=run.get_status_display()))
    BillRun.objects.filter(pk=run.pk, post_started_at__isnull=True).update(
        post_started_at=timezone.now()
    )
    ids = list(run.bills.filter(status=Bill.Status.DRAFT).values_list("account_id", flat=True))
    run_chunks(
        account_chunks(ids, chunk_size),
        lambda chunk: bill_run_post_chunk(
            run_id=run.pk,
            first_account_id=chunk.first_account_id,
            last_account_id=chunk.last_account_id,
            actor=actor,
            chunk_index=chunk.index,
            fault=fault,
        ),
        on_chunk=on_chunk,
    )
    return _finish(run, actor)


def _finish(run: BillRun, actor: Any) -> BillRun:
    with transaction.atomic():
        run = BillRun.objects.select_for_update().get(pk=run.pk)
        run.bills_posted = run.bills.filter(status=Bill.Status.POSTED).count()
        if not run.bills.filter(status=Bill.Status.DRAFT).exists():
            if run.status == BillRun.Status.REVIEWED:
                audit_record(
                    actor=actor,
                    action="billing.run.post",
                    subject=run,
                    after={"bills_posted": run.bills_posted},
                )
            if run.status != BillRun.Status.ISSUED:
                run.status = BillRun.Status.POSTED
            run.posted_at = run.posted_at or timezone.now()
        run.save()
    return run


def bill_run_post_chunk(
    *,
    run_id: int,
    first_account_id: int,
    last_account_id: int,
    actor: Any = None,
    chunk_index: int = 0,
    fault: FaultHook | None = None,
) -> int:
    """Post the run's draft bills for accounts in [first, last] in one transaction."""
    with transaction.atomic():
        bills = list(
            Bill.objects.select_for_update()
            .filter(
                run_id=run_id,
                status=Bill.Status.DRAFT,
                account_id__gte=first_account_id,
                account_id__lte=last_account_id,
            )
            .order_by("account_id")
        )
        posted = 0
        for position, bill in enumerate(bills):
            posted += _post_or_set_aside(bill, actor)
            if fault is not None:
                fault(chunk_index, position)
        BillRun.objects.filter(pk=run_id).update(bills_posted=F("bills_posted") + posted)
    return posted


def _post_or_set_aside(bill: Bill, actor: Any) -> int:
    try:
        with transaction.atomic():
            bill_post(bill=bill, actor=actor)
        return 1
    except Exception as error:  # one account never stops the run
        reason = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
        Bill.objects.filter(pk=bill.pk).update(
            status=Bill.Status.HELD, held_by=None, held_reason=str(reason)[:300]
        )
        if bill.run_id is not None:
            BillException.objects.create(
                run_id=bill.run_id,
                account_id=bill.account_id,
                bill=bill,
                kind=BillException.Kind.FAILED,
                detail=str(reason)[:500],
            )
        return 0


def bill_post(*, bill: Bill, actor: Any) -> Bill:
    """Post one draft bill: its journal entry (key ``bill:<id>``) and status. Caller locks."""
    lines = list(bill.lines.values_list("category", "amount_cents"))
    legs = bill_legs(account_id=bill.account_id, lines=lines)
    entry: JournalEntry | None = None
    if legs:
        entry = journal_entry_post(
            idempotency_key=f"bill:{bill.pk}",
            effective_date=bill.bill_date,
            source=SOURCE_BILL,
            source_ref=bill.number,
            memo=f"Bill {bill.period_start} to {bill.period_end}",
            legs=legs,
            actor=actor,
        )
    bill.status = Bill.Status.POSTED
    bill.journal_entry = entry
    bill.posted_at = timezone.now()
    bill.save(update_fields=["status", "journal_entry", "posted_at"])
    return bill
