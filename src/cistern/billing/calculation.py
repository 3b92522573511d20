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
    fault_in_process_only,
    run_chunks,
    writer_turn,
)
from cistern.billing.domain.checks import total_checks
from cistern.billing.inputs import (
    AccountInputs,
    cycle_account_rows,
    cycle_accounts,
    inputs_for,
    select_by_ids,
)
from cistern.billing.lines import (
    PreparedLines,
    copy_field,
    copy_lines,
    db_date,
    insert_staged_lines,
    prepared_lines,
    stage_line_templates,
)
from cistern.billing.models import Bill, BillException, BillRun
from cistern.billing.rating import NoRate, RaterSet
from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.models import Account
from cistern.ledger.bulk_sql import insert_rows
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
    # Reading, rating and staging the rows happen before the chunk's transaction: on SQLite
    # (one writer at a time) another process's chunk writes meanwhile. What decides what to
    # write (bills posted, or billed elsewhere) is read inside the transaction, and the rows
    # staged for accounts it sets aside are dropped there.
    rows = cycle_account_rows(
        cycle_id=run.cycle_id, first_day=run.period_start, last_day=run.period_end,
        first_id=first_account_id, last_id=last_account_id,
    )  # fmt: skip
    inputs = inputs_for(rows, first_day=run.period_start, last_day=run.period_end)
    drafts = _ChunkDrafts(run)
    for item in inputs:
        _calculate_one(drafts, item, rated)
    drafts.stage()
    with writer_turn(), transaction.atomic():
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


# What differs from bill to bill in a chunk (the rest is the run's), in a bill's row.
BILL_VARYING = (
    "account", "total_cents", "usage", "usage_unit", "estimated", "estimated_before",
    "reads_used",
)  # fmt: skip
# The run's constants, then BILL_VARYING: the order both writers put a bill's columns in.
_BILL_CONSTANTS = (
    "run", "kind", "period_start", "period_end", "bill_date", "due_date", "status",
    "held_reason", "cancelled_reason",
)  # fmt: skip
EXCEPTION_COLUMNS = ("run", "account", "bill", "kind", "detail", "resolution", "resolved_reason")
CYCLE, DRAFT, OPEN = Bill.Kind.CYCLE.value, Bill.Status.DRAFT.value, "open"
_DRAFT_BILLS = "cistern_draft_bills"  # SQLite scratch table (per connection, emptied after use)


class _ChunkDrafts:
    """A chunk's bills, lines and exceptions as rows: computed and staged before the chunk's
    transaction, trimmed in it to the accounts still to bill (``set_aside``), then written
    in bulk (``write``)."""

    def __init__(self, run: BillRun) -> None:
        self.run = run
        self.accounts: list[int] = []  # every account of the chunk, in order
        # BILL_VARYING values, then the number of the bill's lines in `line_sets`; by account
        self.bills: list[tuple[Any, ...]] = []
        self.line_sets: list[PreparedLines] = []  # each distinct set of lines, once
        self._numbers: dict[int, int] = {}  # id() of a set (kept alive above) -> its number
        # (account id, whether it refers to the account's bill, kind, detail)
        self.exceptions: list[tuple[int, bool, str, str]] = []
        self._line_count = 0  # SQLite: the lines of the staged bills

    def bill(self, item: AccountInputs, total_cents: int, lines: PreparedLines) -> None:
        number = self._numbers.get(id(lines))
        if number is None:
            number = self._numbers[id(lines)] = len(self.line_sets)
            self.line_sets.append(lines)
        row = (
            item.account_id, total_cents, item.usage, item.unit._value_, item.estimated,
            item.estimated_before, repr(item.read_ids),  # a list of ints: its JSON
            number,
        )  # fmt: skip
        self.bills.append(row)

    def exception(self, account_id: int, on_bill: bool, kind: str, detail: str) -> None:
        self.exceptions.append((account_id, on_bill, str(kind), detail[:500]))

    def stage(self) -> None:
        """SQLite: bind the bills and their line templates into scratch tables now, as
        binding is most of the cost of writing them and needs no lock on the database
        (temporary tables). PostgreSQL copies from text rendered in ``write``."""
        if connection.vendor == "postgresql":
            return
        quote = connection.ops.quote_name
        varying = ", ".join(quote(Bill._meta.get_field(c).column) for c in BILL_VARYING[1:])
        sets = self.line_sets
        self._line_count = sum([len(sets[row[-1]]) for row in self.bills])
        with connection.cursor() as cursor:
            stage_line_templates(cursor, sets)
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {_DRAFT_BILLS}"
                f" (account_id INTEGER PRIMARY KEY, {varying}, template)"
            )
            cursor.execute(f"DELETE FROM {_DRAFT_BILLS}")
            placeholders = ", ".join(["%s"] * (len(BILL_VARYING) + 1))
            cursor.executemany(f"INSERT INTO {_DRAFT_BILLS} VALUES ({placeholders})", self.bills)

    def set_aside(self, posted: set[int], elsewhere: dict[int, str]) -> None:
        """Drop what was computed for accounts whose bill in this run is posted, and put an
        exception in place of the bill of each account billed elsewhere for the period."""
        if not posted and not elsewhere:
            return
        gone = posted | elsewhere.keys()
        self.bills = [row for row in self.bills if row[0] not in gone]
        by_account: dict[int, list[tuple[int, bool, str, str]]] = {}
        for exception in self.exceptions:
            by_account.setdefault(exception[0], []).append(exception)
        self.accounts = [a for a in self.accounts if a not in posted]
        self.exceptions = []
        for account_id in self.accounts:
            if account_id in elsewhere:
                self.exception(account_id, False, Kind.FAILED, elsewhere[account_id])
            else:
                self.exceptions.extend(by_account.get(account_id, ()))
        self.stage()

    def write(self) -> int:
        """Write the chunk: bills, their lines, then the exceptions; returns the bills."""
        if not self.bills:
            ids: dict[int, int] = {}
        elif connection.vendor == "postgresql":
            ids = self._copy()
        else:
            ids = self._insert_staged()
        run_id = self.run.pk
        insert_rows(
            BillException,
            EXCEPTION_COLUMNS,
            [
                (run_id, account_id, ids[account_id] if on_bill else None, kind, detail, OPEN, "")
                for account_id, on_bill, kind, detail in self.exceptions
            ],
        )
        return len(ids)

    def _copy(self) -> dict[int, int]:
        """PostgreSQL: ``COPY`` the bills as text, the run's constants rendered once per
        chunk (``write_row`` formatting 16 values a bill cost more than the rest of the
        write), then their lines with the ids read back."""
        run = self.run
        constants = (run.pk, CYCLE, *_run_dates(run), DRAFT, "", "")
        prefix = "\t".join(copy_field(v) for v in constants)
        # The unit (a VolumeUnit's value) and the reads (JSON of ints) need no escaping.
        text = "".join(
            [
                f"{prefix}\t{account}\t{total}\t{usage}\t{unit}\t{'t' if estimated else 'f'}"
                f"\t{estimated_before}\t{reads}\n"
                for account, total, usage, unit, estimated, estimated_before, reads, _ in self.bills
            ]
        )
        sql = f"COPY {connection.ops.quote_name(Bill._meta.db_table)} ({_bill_names()}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write(text)
        ids = self._read_back()
        sets = self.line_sets
        copy_lines([(ids[row[0]], sets[row[-1]]) for row in self.bills])
        return ids

    def _insert_staged(self) -> dict[int, int]:
        """SQLite: one ``INSERT ... SELECT`` of the staged bills with the run's constants
        (the values reach the table as bound, with its own type affinity applied), then
        their lines, joined to their bills by account."""
        run = self.run
        quote = connection.ops.quote_name
        varying = ", ".join(quote(Bill._meta.get_field(c).column) for c in BILL_VARYING)
        dates: list[Any] = [db_date(d) for d in _run_dates(run)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(Bill._meta.db_table)} ({_bill_names()})"
                f" SELECT {', '.join(['%s'] * len(_BILL_CONSTANTS))}, {varying}"
                f" FROM {_DRAFT_BILLS} ORDER BY account_id",
                [run.pk, CYCLE, *dates, DRAFT, "", ""],
            )
            ids = self._read_back()
            # The staged bills in account order (as inserted), each joined to its new row.
            # CROSS JOIN: SQLite keeps this order of loops, so it reads one index entry per
            # bill and needs no sort (nor scans the bills of the run's other chunks).
            bills = (
                f"{_DRAFT_BILLS} d CROSS JOIN {quote(Bill._meta.db_table)} x"
                " ON x.run_id = %s AND x.account_id = d.account_id AND x.status = %s"
            )
            insert_staged_lines(
                cursor, bills=bills, bill="x.id", template="d.template",
                order="d.account_id, x.id", params=[run.pk, DRAFT], expected=self._line_count,
            )  # fmt: skip
            cursor.execute(f"DELETE FROM {_DRAFT_BILLS}")
        return ids

    def _read_back(self) -> dict[int, int]:
        """The new bills' ids by account: the chunk's drafts were all discarded first, so
        the run's drafts in the chunk are exactly these."""
        first, last = self.bills[0][0], self.bills[-1][0]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT account_id, id FROM billing_bill WHERE run_id = %s AND status = %s"
                " AND account_id BETWEEN %s AND %s",
                [self.run.pk, DRAFT, first, last],
            )
            ids = dict(cursor.fetchall())
        if len(ids) != len(self.bills):
            raise RuntimeError(f"wrote {len(self.bills)} bills but found {len(ids)}")
        return ids


def _run_dates(run: BillRun) -> tuple[date, ...]:
    return (run.period_start, run.period_end, run.bill_date, run.due_date)


def _bill_names() -> str:
    quote = connection.ops.quote_name
    return ", ".join(
        quote(Bill._meta.get_field(c).column) for c in (*_BILL_CONSTANTS, *BILL_VARYING)
    )


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
        WHERE period_start = %s AND period_end = %s AND live = %s
          AND (run_id IS NULL OR run_id <> %s) AND account_id {in_}
    """
    params: list[Any] = [run.period_start, run.period_end, True, run.pk]
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


def _calculate_one(drafts: _ChunkDrafts, item: AccountInputs, rated: RatedLines) -> None:
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


def _flag(drafts: _ChunkDrafts, item: AccountInputs, total_cents: int) -> None:
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
