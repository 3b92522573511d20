"""Posting a reviewed bill run: each draft bill and its one balanced journal entry.

Chunks of accounts commit independently. A chunk's bills post through the ledger's
set-based writer (``cistern.ledger.bulk_set``: the database sums each bill's lines by
category, as ``domain.entries.bill_legs`` does, and the postings go in by one statement, a
``COPY`` on PostgreSQL), each entry under idempotency key ``bill:<id>``, so running the post
again (after a crash, or twice) posts nothing twice: posted bills are skipped and a replayed
key returns the entry already written (reliability.md I7). The chunk's entries are worked
out before its transaction and only the bills still draft inside it post
(``bill_run_post_chunk`` says why that is safe). A bill whose posting fails is held with
the reason and the run goes on; releasing it lets the next post pick it up.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from contextlib import nullcontext
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.billing.chunks import (
    FaultHook,
    ProgressHook,
    account_chunks,
    chunk_transaction,
    fault_in_process_only,
    run_chunks,
    writer_turn,
)
from cistern.billing.domain.entries import bill_legs
from cistern.billing.models import Bill, BillException, BillLine, BillRun
from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.ledger.bulk import EntryRequest
from cistern.ledger.bulk_set import (
    CategoryBatch,
    CategoryPlan,
    EntryHeader,
    journal_entries_plan_by_category,
    journal_entries_post_plan,
    journal_entries_stage_plan,
)
from cistern.ledger.bulk_sql import rows_relation, values_in
from cistern.ledger.codes import RECEIVABLE_FOR_CATEGORY, REVENUE_FOR_CATEGORY
from cistern.ledger.models import JournalEntry
from cistern.ledger.services import journal_entry_post

logger = logging.getLogger(__name__)
SET_FAILED = "Set-based posting of accounts %s-%s failed (%s); posting bill by bill."
PLAN_FAILED = "Planning the set-based posting of run %s failed (%s); planning it again."
RUN_NOT_REVIEWED = "Review the run before posting it (it is {status})."
SOURCE_BILL = "bill"
# Posting in this process: a chunk costs a transaction and about fifteen statements whatever
# its size, and a 5,000-bill chunk posts in well under a second, so bigger chunks lose
# little to a crash and save most of that overhead. (Celery chunks keep the dispatcher's.)
POST_CHUNK_SIZE = 5000


def bill_run_post(
    *,
    run: BillRun,
    actor: Any,
    chunk_size: int = POST_CHUNK_SIZE,
    on_chunk: ProgressHook | None = None,
    fault: FaultHook | None = None,
    workers: int = 1,
) -> BillRun:
    """Post every draft bill of a reviewed run; safe to run again (resumes, never doubles).

    ``workers`` > 1 posts the chunks on that many child processes (``chunks.run_chunks``);
    the fault hook runs only in this process, so it needs ``workers=1``.
    """
    fault_in_process_only(fault, workers)
    run = BillRun.objects.get(pk=run.pk)
    if run.status not in (BillRun.Status.REVIEWED, BillRun.Status.POSTED):
        raise ServiceError(_(RUN_NOT_REVIEWED).format(status=run.get_status_display()))
    BillRun.objects.filter(pk=run.pk, post_started_at__isnull=True).update(
        post_started_at=timezone.now()
    )
    # (Unordered: account_chunks sorts them; the model's ordering would join the accounts.)
    drafts = run.bills.filter(status=Bill.Status.DRAFT).order_by()
    ids = list(drafts.values_list("account_id", flat=True))
    run_chunks(
        account_chunks(ids, chunk_size, workers=workers),
        lambda chunk: bill_run_post_chunk(
            run_id=run.pk,
            first_account_id=chunk.first_account_id,
            last_account_id=chunk.last_account_id,
            actor=actor,
            chunk_index=chunk.index,
            fault=fault,
        ),
        on_chunk=on_chunk,
        workers=workers,
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

    Set-based: the ledger sums the bills' lines by category and writes the chunk's entries,
    postings and audit rows in a few statements (``journal_entries_post_plan``); bills it
    refuses are set aside with the reason, and one UPDATE marks the rest posted and links
    each to the entry under its key. Should the set-based post fail outright (a database
    error), the chunk falls back to one bill at a time, each in a savepoint.

    The reading and working out (the drafts, their sums, every entry's hash and audit
    document; on SQLite the binding of the entries into scratch tables) happen before the
    transaction, so on SQLite another process's chunk writes meanwhile (``writer_turn``).
    That is safe because a bill's lines, account and dates are written with it and never
    changed (a recalculation deletes the draft and writes a new bill, under a new id; ids
    are never reused): what was read of a bill still draft inside the transaction is still
    true. What can change is decided inside, under the locks: which bills are still draft
    (locked; one held meanwhile drops out, one released meanwhile has the chunk planned
    again), the customer accounts, the periods, the keys already posted.
    """
    drafts = _drafts(run_id, first_account_id, last_account_id)
    plan = _plan_or_none(run_id, drafts)
    with writer_turn(), chunk_transaction():
        bills = _locked_drafts(run_id, first_account_id, last_account_id, drafts)
        try:
            with transaction.atomic():
                posted = _post_set(run_id, bills, plan, actor)
        except (DatabaseError, ServiceError) as error:
            logger.warning(SET_FAILED, first_account_id, last_account_id, error)
            posted = sum(
                _post_or_set_aside(Bill.objects.get(pk=bill.bill_id), actor) for bill in bills
            )
        if fault is not None:
            for position in range(len(bills)):
                fault(chunk_index, position)
    # (The run's count of posted bills is set when the run finishes, from its bills: a
    # counter bumped here would have every chunk queue on the run's row until it commits.)
    return posted


class _Draft(NamedTuple):
    bill_id: int
    account_id: int
    bill_date: date
    period_start: date
    period_end: date


def _locked_drafts(
    run_id: int, first_account_id: int, last_account_id: int, read: list[_Draft]
) -> list[_Draft]:
    """The chunk's draft bills now, row-locked, by account: those ``read`` before still
    draft, unless some other bill turned draft since (then all are read again)."""
    suffix = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Bill._meta.db_table} WHERE run_id = %s AND status = %s"
            f" AND account_id BETWEEN %s AND %s ORDER BY account_id{suffix}",
            [run_id, Bill.Status.DRAFT.value, first_account_id, last_account_id],
        )
        ids = [row[0] for row in cursor.fetchall()]
    known = {bill.bill_id: bill for bill in read}
    if all(bill_id in known for bill_id in ids):
        return [known[bill_id] for bill_id in ids]
    return _drafts(run_id, first_account_id, last_account_id, lock=True)


def _drafts(
    run_id: int, first_account_id: int, last_account_id: int, *, lock: bool = False
) -> list[_Draft]:
    """The chunk's draft bills, by account (row-locked if ``lock``). Plain SQL, dates read
    as text where the driver would parse each: per-value date conversion cost more than
    the rest of the read (a run has a handful of dates)."""
    suffix = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    # On SQLite a DATE column comes back through a converter (a parse per value); as text
    # (no declared type) it does not: the few distinct values are parsed once below.
    dates = "bill_date, period_start, period_end"
    if connection.vendor == "sqlite":
        dates = "CAST(bill_date AS TEXT), CAST(period_start AS TEXT), CAST(period_end AS TEXT)"
    sql = (
        f"SELECT id, account_id, {dates} FROM {Bill._meta.db_table}"
        " WHERE run_id = %s AND status = %s AND account_id BETWEEN %s AND %s"
        f" ORDER BY account_id{suffix}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [run_id, Bill.Status.DRAFT.value, first_account_id, last_account_id])
        rows = cursor.fetchall()
    days: dict[Any, date] = {}
    for row in rows:
        for value in row[2:]:
            if value not in days:
                days[value] = value if isinstance(value, date) else date.fromisoformat(value)
    return [_Draft(i, a, days[b], days[s], days[e]) for i, a, b, s, e in rows]


@lru_cache(maxsize=64)  # a run has one period: no need to format its dates per bill
def bill_memo(period_start: date, period_end: date) -> str:
    return f"Bill {period_start} to {period_end}"


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
        memo=bill_memo(bill.period_start, bill.period_end),
        legs=tuple(legs),
    )


def _plan_or_none(run_id: int, bills: list[_Draft]) -> CategoryPlan | None:
    """The chunk's plan, made (and on SQLite staged: its entries bound into scratch tables,
    which takes no lock) before its transaction; None if that failed (the transaction plans
    and stages again, and falls back to posting bill by bill if that fails too)."""
    # Inside a caller's transaction (tests, a task), in a savepoint: a failure must leave
    # that transaction usable for the fallback.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with guard:
            plan = _plan(run_id, bills)
            journal_entries_stage_plan(plan=plan)
            return plan
    except (DatabaseError, ServiceError) as error:
        logger.warning(PLAN_FAILED, run_id, error)
        return None


def _plan(run_id: int, bills: list[_Draft]) -> CategoryPlan:
    """The ledger's plan for these draft bills: their lines summed, every entry worked out."""
    headers = [
        EntryHeader(
            ref_id=b.bill_id,
            idempotency_key=f"bill:{b.bill_id}",
            effective_date=b.bill_date,
            customer_account_id=b.account_id,
            source_ref=f"B{b.bill_id:08d}",  # Bill.number
            memo=bill_memo(b.period_start, b.period_end),
        )
        for b in bills
    ]
    params: list[Any] = []
    if bills:
        ids = [b.bill_id for b in bills]
        first, last = bills[0].account_id, bills[-1].account_id
        params = [min(ids), max(ids), run_id, first, last]
    batch = CategoryBatch(
        source=SOURCE_BILL,
        headers=headers,
        lines_sql=_LINES_SQL,
        lines_params=params,  # (not read without headers)
        receivable_for_category=RECEIVABLE_FOR_CATEGORY,  # as bill_legs maps them
        revenue_for_category=REVENUE_FOR_CATEGORY,
    )
    return journal_entries_plan_by_category(batch=batch)


def _post_set(run_id: int, bills: list[_Draft], plan: CategoryPlan | None, actor: Any) -> int:
    """Post the chunk's locked drafts through the ledger's set-based writer; returns the
    bills posted. If the plan has not seen them all (a bill released or rewritten since it
    was made), or could not be made, the chunk is planned again here, under the locks."""
    if not bills:
        return 0
    ids = [b.bill_id for b in bills]
    if plan is None or not plan.refs.issuperset(ids):
        plan = _plan(run_id, bills)
    result = journal_entries_post_plan(plan=plan, actor=actor, refs=ids)
    _set_aside_many(run_id, bills, result.refused)
    nothing = [i for i in ids if i not in result.entry_ids and i not in result.refused]
    return _mark_posted(result.entry_ids, nothing)


# The lines of the chunk's bills, as the ledger's set-based writer reads them (lines of
# other bills of the run in the range are ignored). Whatever their status: a bill's lines
# never change, and a bill held and released between the plan's two reads must not look
# like one whose lines sum to nothing. The range of the chunk's bill ids (redundant with
# the join) lets PostgreSQL read the lines by their bill index: without it, its statistics
# favour a hash join over every line of the table (all runs, growing with each), about
# twice the cost at 100,000 accounts and worse beyond.
_LINES_SQL = (
    f"SELECT l.bill_id AS ref_id, l.category, l.amount_cents, l.seq"
    f" FROM {BillLine._meta.db_table} l JOIN {Bill._meta.db_table} b ON b.id = l.bill_id"
    " WHERE l.bill_id BETWEEN %s AND %s AND b.run_id = %s AND b.account_id BETWEEN %s AND %s"
)


def _set_aside_many(run_id: int, bills: list[_Draft], refused: dict[int, str]) -> None:
    if not refused:
        return
    by_reason: dict[str, list[int]] = defaultdict(list)
    for bill_id, reason in refused.items():
        by_reason[str(reason)[:300]].append(bill_id)
    for reason, ids in by_reason.items():
        Bill.objects.filter(pk__in=ids).update(
            status=Bill.Status.HELD, held_by=None, held_reason=reason
        )
    BillException.objects.bulk_create(
        BillException(
            run_id=run_id,
            account_id=b.account_id,
            bill_id=b.bill_id,
            kind=BillException.Kind.FAILED,
            detail=str(refused[b.bill_id])[:500],
        )
        for b in bills
        if b.bill_id in refused
    )


def _mark_posted(entry_ids: dict[int, int], nothing: list[int]) -> int:
    """Mark posted now the drafts linked to an entry (bill -> entry, one ``UPDATE ...
    FROM``) and those that move nothing (no entry). Returns how many. Only these bills, by
    id: a draft the chunk did not post stays draft. (Materialized, the links drive the join
    on SQLite; left as a bare ``json_each`` it was re-read for every draft bill.)

    By id alone, not also ``status = 'draft'``: these are the drafts the chunk's transaction
    locked (``_locked_drafts``; on SQLite its snapshot cannot write over a change made since
    it read). A status filter let PostgreSQL's planner, whose statistics are taken when a
    table holds no draft (nearly always, since a run posts every draft it makes), expect one
    draft and scan the whole table for it, comparing each row with every link: 350-530 ms a
    chunk of 2,000 bills against 2,000,000 posted, where the index on ids takes a few."""
    table = Bill._meta.db_table
    now = Bill._meta.get_field("posted_at").get_db_prep_save(timezone.now(), connection)
    posted = Bill.Status.POSTED.value
    count = 0
    with connection.cursor() as cursor:
        if entry_ids:
            links, params = rows_relation(
                ("bill_id", "entry_id"), ("bigint", "bigint"), list(entry_ids.items())
            )
            cursor.execute(
                f"UPDATE {table} SET status = %s, posted_at = %s, journal_entry_id = r.entry_id"
                f" FROM (WITH x AS MATERIALIZED ({links}) SELECT * FROM x) r"
                f" WHERE {table}.id = r.bill_id",
                [posted, now, *params],
            )
            count += cursor.rowcount
        if nothing:
            in_, params = values_in(nothing, "bigint")
            cursor.execute(
                f"UPDATE {table} SET status = %s, posted_at = %s, journal_entry_id = NULL"
                f" WHERE id {in_}",
                [posted, now, *params],
            )
            count += cursor.rowcount
    return count


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
            memo=bill_memo(bill.period_start, bill.period_end),
            legs=legs,
            actor=actor,
        )
    bill.status = Bill.Status.POSTED
    bill.journal_entry = entry
    bill.posted_at = timezone.now()
    bill.save(update_fields=["status", "journal_entry", "posted_at"])
    return bill
