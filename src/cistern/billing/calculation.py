"""Calculating a bill run: the dry run. Draft bills, lines and exceptions; no ledger writes.

Calculating again replaces the run's draft and held bills (and their review decisions)
with fresh ones; posted bills are never touched. One chunk of accounts per transaction.

A chunk reads its inputs as tuples (``inputs``), rates each distinct input once
(``RatedLines``: thousands of accounts share a class, a meter and a usage) and writes its
bills, lines and exceptions as plain rows, with no model instance per account: that is what
lets a 100,000-account run calculate in seconds. What the database is handed is what differs:
the run's constants once per chunk, each distinct set of lines once (PostgreSQL ``COPY`` text;
SQLite scratch tables joined by one ``INSERT ... SELECT``), since binding or formatting every
value of every row cost more than storing the rows.
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
    fault_in_process_only,
    run_chunks,
)
from cistern.billing.domain.checks import total_checks
from cistern.billing.inputs import (
    AccountInputs,
    cycle_account_rows,
    cycle_accounts,
    inputs_for,
)
from cistern.billing.lines import (
    PreparedLines,
    copy_field,
    db_date,
    prepared_lines,
    write_lines,
)
from cistern.billing.models import Bill, BillException, BillRun
from cistern.billing.rating import NoRate, RaterSet
from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.models import Account
from cistern.ledger.bulk_sql import insert_rows
from cistern.rates.domain import RatingError

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
        account_chunks(ids, chunk_size),
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
    # The chunk's inputs are read before its transaction: on SQLite (one writer at a time,
    # taken at BEGIN) another process's chunk writes meanwhile. What decides what to write
    # (bills posted, or billed elsewhere) is read inside the transaction.
    rows = cycle_account_rows(
        cycle_id=run.cycle_id, first_day=run.period_start, last_day=run.period_end,
        first_id=first_account_id, last_id=last_account_id,
    )  # fmt: skip
    inputs = inputs_for(rows, first_day=run.period_start, last_day=run.period_end)
    with transaction.atomic():
        _discard_drafts(run, first_account_id, last_account_id)
        posted = _posted_accounts(run, first_account_id, last_account_id)
        todo = [item for item in inputs if item.account_id not in posted]
        elsewhere = _billed_elsewhere(run, [item.account_id for item in todo])
        writer = _ChunkWriter(run)
        for position, item in enumerate(todo):
            if item.account_id in elsewhere:
                writer.exception(item.account_id, None, Kind.FAILED, elsewhere[item.account_id])
            else:
                _calculate_one(writer, item, rated)
            if fault is not None:
                fault(chunk_index, position)
        return writer.flush()


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

    def get(self, item: AccountInputs, first_day: date, last_day: date) -> Rated:
        key = (item.attrs, item.services, item.usage, item.unit, first_day, last_day)
        found = self._found.get(key)
        if found is None:
            lines = self.raters.rate(
                attrs=item.attrs, services=item.services, usage=item.usage, unit=item.unit,
                first_day=first_day, last_day=last_day,
            )  # fmt: skip
            found = (sum(c.line.amount_cents for c in lines), prepared_lines(lines))
            if len(self._found) >= RATED_LIMIT:
                self._found.clear()
            self._found[key] = found
        return found


# What differs from bill to bill in a chunk (the rest is the run's): a row of the chunk is
# (its position, *these).
BILL_VARYING = (
    "account", "total_cents", "usage", "usage_unit", "estimated", "estimated_before",
    "reads_used",
)  # fmt: skip
EXCEPTION_COLUMNS = ("run", "account", "bill", "kind", "detail", "resolution", "resolved_reason")
CYCLE, DRAFT, OPEN = Bill.Kind.CYCLE.value, Bill.Status.DRAFT.value, "open"


class _ChunkWriter:
    """Collects a chunk's bills, lines and exceptions as rows, then writes them in bulk."""

    def __init__(self, run: BillRun) -> None:
        self.run = run
        self.bills: list[tuple[Any, ...]] = []
        self.lines: list[PreparedLines] = []  # per bill
        # (account id, index of the bill in `bills` or None, kind, detail)
        self.exceptions: list[tuple[int, int | None, str, str]] = []
        self._dates: tuple[Any, ...] = tuple(
            db_date(d) for d in (run.period_start, run.period_end, run.bill_date, run.due_date)
        )

    def bill(self, item: AccountInputs, total_cents: int, lines: PreparedLines) -> int:
        """Add a draft bill; returns its index for the exceptions that refer to it."""
        position = len(self.bills)
        row = (
            position, item.account_id, total_cents, item.usage, item.unit.value, item.estimated,
            item.estimated_before, _json_ids(item.read_ids),
        )  # fmt: skip
        self.bills.append(row)
        self.lines.append(lines)
        return position

    def exception(self, account_id: int, bill: int | None, kind: str, detail: str) -> None:
        self.exceptions.append((account_id, bill, str(kind), detail[:500]))

    def flush(self) -> int:
        """Write the chunk: bills (their ids back), their lines, then the exceptions."""
        ids = self._insert_bills()
        write_lines(zip(ids, self.lines, strict=True))
        run_id = self.run.pk
        insert_rows(
            BillException,
            EXCEPTION_COLUMNS,
            [
                (run_id, account_id, None if bill is None else ids[bill], kind, detail, OPEN, "")
                for account_id, bill, kind, detail in self.exceptions
            ],
        )
        return len(ids)

    def _insert_bills(self) -> list[int]:
        """Insert the bills; their ids, in order, read back by account: the chunk's drafts
        were all discarded first, so the run's drafts in the chunk are exactly these."""
        if not self.bills:
            return []
        if connection.vendor == "postgresql":
            _copy_bills(self.run.pk, self._dates, self.bills)
        else:
            _insert_bills_sqlite(self.run.pk, self._dates, self.bills)
        first, last = self.bills[0][1], self.bills[-1][1]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT account_id, id FROM billing_bill WHERE run_id = %s AND status = %s"
                " AND account_id BETWEEN %s AND %s",
                [self.run.pk, DRAFT, first, last],
            )
            by_account = dict(cursor.fetchall())
        if len(by_account) != len(self.bills):
            raise RuntimeError(f"wrote {len(self.bills)} bills but found {len(by_account)}")
        return [by_account[row[1]] for row in self.bills]


# The run's constants, then BILL_VARYING: the order both writers below put a bill's columns in.
_BILL_CONSTANTS = (
    "run", "kind", "period_start", "period_end", "bill_date", "due_date", "status",
    "held_reason", "cancelled_reason",
)  # fmt: skip
_BILL_ROWS = "cistern_bill_rows"  # SQLite scratch table (per connection, emptied after use)


def _bill_names() -> str:
    quote = connection.ops.quote_name
    return ", ".join(
        quote(Bill._meta.get_field(c).column) for c in (*_BILL_CONSTANTS, *BILL_VARYING)
    )


def _copy_bills(run_id: int, dates: tuple[Any, ...], rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: ``COPY`` the bills as text, the run's constants rendered once per chunk
    (``write_row`` formatting 16 values a bill cost more than the rest of the write)."""
    prefix = "\t".join(copy_field(v) for v in (run_id, CYCLE, *dates, DRAFT, "", ""))
    text = "".join(
        f"{prefix}\t{account}\t{total}\t{usage}\t{copy_field(unit)}\t{'t' if estimated else 'f'}"
        f"\t{estimated_before}\t{copy_field(reads)}\n"
        for _, account, total, usage, unit, estimated, estimated_before, reads in rows
    )
    sql = f"COPY {connection.ops.quote_name(Bill._meta.db_table)} ({_bill_names()}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.write(text)


def _insert_bills_sqlite(run_id: int, dates: tuple[Any, ...], rows: list[tuple[Any, ...]]) -> None:
    """SQLite: bind what differs per bill into a scratch table, then one ``INSERT ...
    SELECT`` adds the run's constants (binding all 16 values of each bill cost more than
    storing it). The values reach the table as bound, with its own type affinity applied."""
    quote = connection.ops.quote_name
    varying = ", ".join(quote(Bill._meta.get_field(c).column) for c in BILL_VARYING)
    constants = ", ".join(["%s"] * len(_BILL_CONSTANTS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_BILL_ROWS}"
            f" (position INTEGER PRIMARY KEY, {varying})"
        )
        cursor.executemany(
            f"INSERT INTO {_BILL_ROWS} VALUES ({', '.join(['%s'] * (len(BILL_VARYING) + 1))})",
            rows,
        )
        cursor.execute(
            f"INSERT INTO {quote(Bill._meta.db_table)} ({_bill_names()})"
            f" SELECT {constants}, {varying} FROM {_BILL_ROWS} ORDER BY position",
            [run_id, CYCLE, *dates, DRAFT, "", ""],
        )
        cursor.execute(f"DELETE FROM {_BILL_ROWS}")


def _json_ids(ids: list[int]) -> str:
    """``json.dumps(ids)`` for a list of ints, without the encoder's overhead per bill."""
    return "[" + ", ".join(map(str, ids)) + "]"


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
        WHERE period_start = %s AND period_end = %s AND status <> 'cancelled'
          AND (run_id IS NULL OR run_id <> %s) AND account_id BETWEEN %s AND %s
    """
    wanted = set(account_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [run.period_start, run.period_end, run.pk, min(account_ids), max(account_ids)]
        )
        return {
            account_id: ALREADY_BILLED.format(number=Bill(pk=bill_id).number)
            for account_id, bill_id in cursor.fetchall()
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


def _calculate_one(writer: _ChunkWriter, item: AccountInputs, rated: RatedLines) -> None:
    run = writer.run
    try:
        total, lines = rated.get(item, run.period_start, run.period_end)
    except (NoRate, RatingError) as error:
        writer.exception(item.account_id, None, Kind.NO_RATE, str(error))
        return
    except Exception as error:  # set the account aside, go on with the run
        writer.exception(item.account_id, None, Kind.FAILED, f"{type(error).__name__}: {error}")
        return
    bill = writer.bill(item, total, lines)
    _flag(writer, item, bill, total)


def _flag(writer: _ChunkWriter, item: AccountInputs, bill: int, total_cents: int) -> None:
    run, account_id = writer.run, item.account_id
    if item.waiting_read_ids:
        ids = ", ".join(str(i) for i in item.waiting_read_ids)
        writer.exception(account_id, bill, Kind.READ_EXCEPTION, f"Reads waiting: {ids}")
    if item.estimated:
        detail = (
            "No read and no history: billed zero use."
            if item.no_estimate
            else f"Estimated {item.usage} {item.unit.value} from history."
        )
        writer.exception(account_id, bill, Kind.ESTIMATED, detail)
    if item.over_estimated:
        detail = OVER_ESTIMATED.format(excess=item.over_estimated, unit=item.unit.value)
        writer.exception(account_id, bill, Kind.OVER_ESTIMATED, detail)
    if total_cents > 0 and not item.recent_totals:
        return  # nothing to compare with, nothing to flag (the common case, made cheap)
    for kind, detail in total_checks(
        total_cents=total_cents,
        recent_totals=item.recent_totals,
        high_factor=run.high_factor,
        low_factor=run.low_factor,
    ):
        writer.exception(account_id, bill, kind, detail)
