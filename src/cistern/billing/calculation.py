"""Calculating a bill run: the dry run. Draft bills, lines and exceptions; no ledger writes.

Calculating again replaces the run's draft and held bills (and their review decisions)
with fresh ones; posted bills are never touched. One chunk of accounts per transaction.

A chunk reads its inputs as tuples (``inputs``), rates each distinct input once
(``RatedLines``: thousands of accounts share a class, a meter and a usage) and writes its
bills, lines and exceptions as plain rows (``drafts.ChunkDrafts``), with no model instance
per account: that is what lets a 100,000-account run calculate in seconds.

All of that but the writing happens before the chunk's transaction (SQLite's scratch tables
are temporary: filling them takes no lock). The transaction, in ``chunks.writer_turn``,
holds only what must be in it: discarding the chunk's drafts, reading which accounts are
posted in this run or billed elsewhere for the period (their rows are dropped, or replaced
by an exception), and the writes. So on SQLite, with its one writer at a time, a second
process reads and rates its chunk while another writes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.billing.chunks import (
    CALCULATE_CHUNK_SIZE,
    FaultHook,
    ProgressHook,
    account_chunks,
    chunk_transaction,
    fault_in_process_only,
    run_chunks,
    writer_turn,
)
from cistern.billing.domain.checks import total_checks
from cistern.billing.drafts import ChunkDrafts
from cistern.billing.inputs import (
    AccountInputs,
    cycle_account_rows,
    cycle_accounts,
    inputs_for,
    select_by_ids,
)
from cistern.billing.lines import (
    PreparedLines,
    prepared_lines,
)
from cistern.billing.models import Bill, BillException, BillRun
from cistern.billing.rating import NoRate, RaterSet
from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.models import Account
from cistern.rates.domain import RatingAttributes, RatingError

RUN_NOT_DRAFT = "Only a draft run can be calculated; this run is {status}."
Kind = BillException.Kind


def bill_run_calculate(
    *,
    run: BillRun,
    actor: Any,
    chunk_size: int = CALCULATE_CHUNK_SIZE,
    on_chunk: ProgressHook | None = None,
    fault: FaultHook | None = None,
    workers: int = 1,
) -> BillRun:
    """Compute every bill of the run's cycle as a draft, chunk by chunk.

    ``workers`` > 1 runs the chunks on that many child processes (``chunks.run_chunks``);
    the fault hook runs only in this process, so it needs ``workers=1``.
    """
    fault_in_process_only(fault, workers)
    if run.status not in (BillRun.Status.DRAFT, BillRun.Status.REVIEWED) or run.post_started_at:
        raise ServiceError(_(RUN_NOT_DRAFT).format(status=run.get_status_display()))
    ids = list(
        Account.objects.filter(
            cycle_accounts(
                cycle_id=run.cycle_id, first_day=run.period_start, last_day=run.period_end
            )
        ).values_list("id", flat=True)
    )
    BillRun.objects.filter(pk=run.pk).update(status=BillRun.Status.DRAFT, accounts_total=len(ids))
    raters = RaterSet.for_period(period_end=run.period_end)
    rated = RatedLines(raters)  # shared by every chunk of the run
    run_chunks(
        account_chunks(ids, chunk_size, workers=workers),
        lambda chunk: bill_run_calculate_chunk(
            run_id=run.pk,
            first_account_id=chunk.first_account_id,
            last_account_id=chunk.last_account_id,
            raters=raters,
            rated=rated,
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
        bills = run.bills.exclude(status=Bill.Status.CANCELLED)
        run.bills_calculated = bills.count()
        run.total_cents = (
            bills.exclude(status=Bill.Status.HELD).aggregate(s=Sum("total_cents"))["s"] or 0
        )
        run.calculated_at = timezone.now()
        run.save()
        audit_record(
            actor=actor,
            action="billing.run.calculate",
            subject=run,
            after={"bills": run.bills_calculated, "total_cents": run.total_cents},
        )
    return run


def bill_run_calculate_chunk(
    *,
    run_id: int,
    first_account_id: int,
    last_account_id: int,
    raters: RaterSet | None = None,
    chunk_index: int = 0,
    fault: FaultHook | None = None,
    rated: RatedLines | None = None,
) -> int:
    """(Re)compute the drafts of accounts in [first, last]; returns the bills written.

    ``rated`` (or else ``raters``) may be shared by the chunks of one run; a chunk run on
    its own (a Celery task) compiles the rates itself.
    """
    run = BillRun.objects.get(pk=run_id)
    if rated is None:
        rated = RatedLines(raters or RaterSet.for_period(period_end=run.period_end))
    # Reading, rating and staging the rows happen before the chunk's transaction: on SQLite
    # (one writer at a time) another process's chunk writes meanwhile. What decides what to
    # write (bills posted, or billed elsewhere) is read inside the transaction, and the rows
    # staged for accounts it sets aside are dropped there.
    rows = cycle_account_rows(
        cycle_id=run.cycle_id, first_day=run.period_start, last_day=run.period_end,
        first_id=first_account_id, last_id=last_account_id,
    )  # fmt: skip
    inputs = inputs_for(rows, first_day=run.period_start, last_day=run.period_end)
    drafts = ChunkDrafts(run)
    for item in inputs:
        _calculate_one(drafts, item, rated)
    drafts.stage()
    with writer_turn(), chunk_transaction():
        _discard_drafts(run, first_account_id, last_account_id)
        posted = _posted_accounts(run, first_account_id, last_account_id)
        todo = [account_id for account_id in drafts.accounts if account_id not in posted]
        drafts.set_aside(posted, _billed_elsewhere(run, todo))
        if fault is not None:
            for position in range(len(todo)):
                fault(chunk_index, position)
        return drafts.write()


RATED_LIMIT = 50_000  # distinct rating inputs remembered before starting afresh
Rated = tuple[int, PreparedLines]  # (total cents, the lines ready to write)


class RatedLines:
    """Each distinct rating input rated once: its total and its line rows, ready to write.

    Exact: equal attributes, services, usage, unit and period always rate to equal lines
    (the engine is pure), so the lines are shared, never recomputed. Failures are not kept:
    they raise again on the next account with the same inputs.
    """

    def __init__(self, raters: RaterSet) -> None:
        self.raters = raters
        self._found: dict[tuple[object, ...], Rated] = {}
        # The attributes of the keys, by id: keys hold the id, not the object (hashing a
        # dozen fields per account cost more than the rest of the lookup), so the objects
        # are kept here, alive, and no other object can take their id. Attributes are
        # interned (`rating_attributes`): equal ones are one object, and share entries.
        self._attrs: dict[int, RatingAttributes] = {}

    def get(self, item: AccountInputs, first_day: date, last_day: date) -> Rated:
        attrs = item.attrs
        # The unit's ``_value_``: a plain attribute (``value`` is a property, and an enum
        # member hashes through a Python method).
        key = (id(attrs), item.services, item.usage, item.unit._value_, first_day, last_day)
        found = self._found.get(key)
        if found is None:
            lines = self.raters.rate(
                attrs=attrs, services=item.services, usage=item.usage, unit=item.unit,
                first_day=first_day, last_day=last_day,
            )  # fmt: skip
            found = (sum(c.line.amount_cents for c in lines), prepared_lines(lines))
            if len(self._found) >= RATED_LIMIT:
                self._found.clear()
                self._attrs.clear()
            self._attrs[id(attrs)] = attrs
            self._found[key] = found
        return found


OVER_ESTIMATED = (
    "Earlier estimated bills charged {excess} {unit} more than the reads show; this bill "
    "charges no use. Cancel and rebill those estimated bills to credit the difference."
)
ALREADY_BILLED = "Already billed for this period by bill {number}; cancel it first."


def _billed_elsewhere(run: BillRun, account_ids: list[int]) -> dict[int, str]:
    """Accounts with a live bill for this very period outside this run (unique per period)."""
    if not account_ids:
        return {}
    sql = """
        SELECT account_id, id FROM billing_bill
        WHERE period_start = %s AND period_end = %s AND live
          AND (run_id IS NULL OR run_id <> %s) AND account_id {in_}
    """
    params: list[Any] = [run.period_start, run.period_end, run.pk]
    if connection.vendor == "postgresql":
        # The chunk's range of ids, one index range scan: a test against an array of ids is
        # planned from statistics that do not yet count the bills this run is writing.
        with connection.cursor() as cursor:
            bounds = [min(account_ids), max(account_ids)]
            cursor.execute(sql.format(in_="BETWEEN %s AND %s"), params + bounds)
            found = cursor.fetchall()
    else:
        # The accounts themselves (inside the write transaction, so the cheaper the better):
        # the range also holds the bills of the period's other cycles, interleaved.
        found = select_by_ids(sql, params, account_ids)
    wanted = set(account_ids)
    return {
        account_id: ALREADY_BILLED.format(number=Bill(pk=bill_id).number)
        for account_id, bill_id in found
        if account_id in wanted
    }


def _posted_accounts(run: BillRun, first: int, last: int) -> set[int]:
    """Accounts of the chunk whose bill in this run is already posted (never recalculated)."""
    return set(
        run.bills.filter(
            account_id__gte=first, account_id__lte=last, status=Bill.Status.POSTED
        ).values_list("account_id", flat=True)
    )


def _discard_drafts(run: BillRun, first: int, last: int) -> None:
    scope = {"account_id__gte": first, "account_id__lte": last}
    run.exceptions.filter(**scope).delete()
    run.bills.filter(status__in=[Bill.Status.DRAFT, Bill.Status.HELD], **scope).delete()


def _calculate_one(drafts: ChunkDrafts, item: AccountInputs, rated: RatedLines) -> None:
    run, account_id = drafts.run, item.account_id
    drafts.accounts.append(account_id)
    try:
        total, lines = rated.get(item, run.period_start, run.period_end)
    except (NoRate, RatingError) as error:
        drafts.exception(account_id, False, Kind.NO_RATE, str(error))
        return
    except Exception as error:  # set the account aside, go on with the run
        drafts.exception(account_id, False, Kind.FAILED, f"{type(error).__name__}: {error}")
        return
    drafts.bill(item, total, lines)
    _flag(drafts, item, total)


def _flag(drafts: ChunkDrafts, item: AccountInputs, total_cents: int) -> None:
    """The exceptions on the account's bill: reads waiting, estimates, unusual totals."""
    run, account_id = drafts.run, item.account_id
    if item.waiting_read_ids:
        ids = ", ".join(str(i) for i in item.waiting_read_ids)
        drafts.exception(account_id, True, Kind.READ_EXCEPTION, f"Reads waiting: {ids}")
    if item.estimated:
        detail = (
            "No read and no history: billed zero use."
            if item.no_estimate
            else f"Estimated {item.usage} {item.unit.value} from history."
        )
        drafts.exception(account_id, True, Kind.ESTIMATED, detail)
    if item.over_estimated:
        detail = OVER_ESTIMATED.format(excess=item.over_estimated, unit=item.unit.value)
        drafts.exception(account_id, True, Kind.OVER_ESTIMATED, detail)
    if total_cents > 0 and not item.recent_totals:
        return  # nothing to compare with, nothing to flag (the common case, made cheap)
    for kind, detail in total_checks(
        total_cents=total_cents,
        recent_totals=item.recent_totals,
        high_factor=run.high_factor,
        low_factor=run.low_factor,
    ):
        drafts.exception(account_id, True, kind, detail)
