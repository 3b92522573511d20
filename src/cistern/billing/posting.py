"""Posting a reviewed bill run: each draft bill and its one balanced journal entry.

Chunks of accounts commit independently. A chunk's bills post in one set-based ledger call
(``cistern.ledger.bulk``), each entry under idempotency key ``bill:<id>``, so running the
post again (after a crash, or twice) posts nothing twice: posted bills are skipped and a
replayed key returns the entry already written (reliability.md I7). A bill whose posting
fails is held with the reason and the run goes on; releasing it lets the next post pick it
up.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
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
from cistern.billing.models import Bill, BillException, BillLine, BillRun
from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.ledger.bulk import (
    BulkRefused,
    EntryRequest,
    journal_entries_post_bulk,
)
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
    """Post the run's draft bills for accounts in [first, last] in one transaction.

    Set-based: the chunk's entries post in one ``journal_entries_post_bulk`` call and one
    UPDATE marks the bills posted. The bulk post refuses the whole batch listing every
    refused entry (writing nothing), so those bills are set aside with their reason and the
    rest is posted again; should that still be refused (something changed in between), the
    chunk falls back to one bill at a time.
    """
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
            .only("id", "run_id", "account_id", "bill_date", "period_start", "period_end")
        )
        try:
            with transaction.atomic():
                posted = _post_bulk(bills, actor)
        except BulkRefused:
            posted = sum(_post_or_set_aside(bill, actor) for bill in bills)
        if fault is not None:
            for position in range(len(bills)):
                fault(chunk_index, position)
        BillRun.objects.filter(pk=run_id).update(bills_posted=F("bills_posted") + posted)
    return posted


def bill_entry_request(bill: Bill, lines: list[tuple[str, int]]) -> EntryRequest | None:
    """The journal entry a bill posts (key ``bill:<id>``), or None when it moves nothing."""
    legs = bill_legs(account_id=bill.account_id, lines=lines)
    if not legs:
        return None
    return EntryRequest(
        idempotency_key=f"bill:{bill.pk}",
        effective_date=bill.bill_date,
        source=SOURCE_BILL,
        source_ref=bill.number,
        memo=f"Bill {bill.period_start} to {bill.period_end}",
        legs=tuple(legs),
    )


def _post_bulk(bills: list[Bill], actor: Any) -> int:
    lines: dict[int, list[tuple[str, int]]] = defaultdict(list)
    rows = BillLine.objects.filter(bill__in=[b.pk for b in bills]).order_by("bill_id", "seq")
    for bill_id, category, cents in rows.values_list("bill_id", "category", "amount_cents"):
        lines[bill_id].append((category, cents))
    requests: dict[int, EntryRequest] = {}
    refused: dict[int, str] = {}
    for bill in bills:
        try:
            request = bill_entry_request(bill, lines[bill.pk])
        except Exception as error:  # a category with no ledger accounts, say
            refused[bill.pk] = f"{type(error).__name__}: {error}"
            continue
        if request is not None:
            requests[bill.pk] = request
    try:
        journal_entries_post_bulk(requests=list(requests.values()), actor=actor)
    except BulkRefused as exc:  # nothing written: set the refused aside, post the rest
        for bill_id, request in list(requests.items()):
            if request.idempotency_key in exc.problems:
                refused[bill_id] = exc.problems[request.idempotency_key]
                del requests[bill_id]
        journal_entries_post_bulk(requests=list(requests.values()), actor=actor)
    for bill in bills:
        if bill.pk in refused:
            _set_aside(bill, refused[bill.pk])
    ok = [b.pk for b in bills if b.pk not in refused]
    _mark_posted(ok)
    return len(ok)


def _mark_posted(bill_ids: list[int]) -> None:
    """One UPDATE: posted now, linked to the entry posted under the bill's key."""
    entry = JournalEntry.objects.filter(
        idempotency_key=Concat(Value("bill:"), Cast(OuterRef("pk"), CharField()))
    ).values("pk")[:1]
    Bill.objects.filter(pk__in=bill_ids).update(
        status=Bill.Status.POSTED, posted_at=timezone.now(), journal_entry=Subquery(entry)
    )


def _post_or_set_aside(bill: Bill, actor: Any) -> int:
    try:
        with transaction.atomic():
            bill_post(bill=bill, actor=actor)
        return 1
    except Exception as error:  # one account never stops the run
        _set_aside(bill, getattr(error, "message", None) or f"{type(error).__name__}: {error}")
        return 0


def _set_aside(bill: Bill, reason: str) -> None:
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
