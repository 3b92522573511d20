"""A calculation chunk's draft bills, lines and exceptions, as rows, and their writing.

``ChunkDrafts`` collects what ``calculation`` computes for a chunk's accounts before the
chunk's transaction (SQLite: staged in temporary scratch tables, which takes no lock), then,
inside the transaction, drops the accounts that are posted in this run or billed elsewhere
(``set_aside``) and writes the rest in bulk (``write``): the run's constants once per chunk,
each distinct set of lines once (PostgreSQL ``COPY`` text; SQLite scratch tables joined by one
``INSERT ... SELECT``), since binding or formatting every value of every row cost more than
storing the rows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection

from cistern.billing.inputs import AccountInputs
from cistern.billing.lines import (
    PreparedLines,
    copy_field,
    copy_lines,
    db_date,
    insert_staged_lines,
    stage_line_templates,
)
from cistern.billing.models import Bill, BillException, BillRun
from cistern.ledger.bulk_sql import insert_rows

Kind = BillException.Kind

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


class ChunkDrafts:
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
