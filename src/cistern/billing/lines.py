"""Domain bill lines to stored `BillLine` rows, and back (for line-for-line comparisons)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import connection

from cistern.billing.models import Bill, BillLine
from cistern.billing.rating import CategorizedLine


def bill_line_rows(bill: Bill, lines: Sequence[CategorizedLine]) -> list[BillLine]:
    rows = []
    for seq, item in enumerate(lines, start=1):
        line = item.line
        rows.append(
            BillLine(
                bill=bill,
                seq=seq,
                code=line.code,
                label=line.label,
                rate_version_id=int(line.version_id) if line.version_id.isdigit() else None,
                service_start=line.start,
                service_end=line.end,
                days=line.days,
                proration=line.proration,
                tier=line.tier,
                tier_from=line.tier_from,
                tier_to=line.tier_to,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount_cents=line.amount_cents,
                category=item.category,
            )
        )
    return rows


LINE_FIELDS = (
    "seq", "code", "label", "rate_version_id", "service_start", "service_end", "days",
    "proration", "tier", "tier_from", "tier_to", "unit", "quantity", "unit_price",
    "amount_cents", "category",
)  # fmt: skip


def line_rows(lines: Sequence[CategorizedLine]) -> tuple[tuple[object, ...], ...]:
    """``bill_line_rows`` as plain tuples in ``LINE_FIELDS`` order, ready for the database
    (with the bill's id put in front): dates and decimals already as the adapters want them."""
    rows = []
    for seq, item in enumerate(lines, start=1):
        line = item.line
        version = int(line.version_id) if line.version_id.isdigit() else None
        row = (
            seq, line.code, line.label, version, db_date(line.start), db_date(line.end),
            line.days, _text(line.proration), line.tier, _text(line.tier_from),
            _text(line.tier_to), line.unit, _text(line.quantity), _text(line.unit_price),
            line.amount_cents, item.category,
        )  # fmt: skip
        rows.append(row)
    return tuple(rows)


# Rows as the chunk writers take them: tuples bound once per distinct set of lines (SQLite,
# ``stage_line_templates``), or each row's COPY text after the bill id (PostgreSQL,
# ``copy_lines``): made once per distinct bill and shared.
PreparedLines = tuple[tuple[object, ...], ...] | tuple[str, ...]
LINE_COLUMNS = ("bill", *LINE_FIELDS)


def prepared_lines(lines: Sequence[CategorizedLine]) -> PreparedLines:
    """A bill's lines made ready for this database's writer."""
    rows = line_rows(lines)
    if connection.vendor == "postgresql":
        return tuple(_copy_text(row) for row in rows)
    return rows


def copy_lines(bills: Iterable[tuple[int, PreparedLines]]) -> None:
    """PostgreSQL: ``COPY`` the lines of each (bill id, prepared lines), from text rendered
    once per distinct bill (``COPY``'s own row formatting cost more than the database's
    work here)."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(BillLine._meta.get_field(c).column) for c in LINE_COLUMNS)
    text = "".join(f"{bill_id}\t{row}\n" for bill_id, prepared in bills for row in prepared)
    with connection.cursor() as cursor:
        sql = f"COPY {quote(BillLine._meta.db_table)} ({names}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            copy.write(text)


# SQLite scratch table of the line templates (per connection, emptied before and after each
# use). No column types: values keep the exact form they were bound in until the real insert.
LINE_TEMPLATES = "cistern_line_templates"
_TEMPLATE_FIELDS = ", ".join(f"f{i}" for i in range(len(LINE_FIELDS)))


def stage_line_templates(cursor: Any, line_sets: Sequence[PreparedLines]) -> None:
    """SQLite: bind each distinct set of prepared lines once, numbered by its place in
    ``line_sets`` (binding 17 values per line was most of the cost of ``executemany``). A
    temporary table: this takes no lock on the database, so it is done before the chunk's
    write transaction."""
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {LINE_TEMPLATES}"
        f" (template, {_TEMPLATE_FIELDS}, PRIMARY KEY (template, f0)) WITHOUT ROWID"
    )
    cursor.execute(f"DELETE FROM {LINE_TEMPLATES}")
    placeholders = ", ".join(["%s"] * (len(LINE_FIELDS) + 1))
    cursor.executemany(
        f"INSERT INTO {LINE_TEMPLATES} VALUES ({placeholders})",
        [(number, *row) for number, prepared in enumerate(line_sets) for row in prepared],
    )


def insert_staged_lines(
    cursor: Any,
    *,
    bills: str,
    bill: str,
    template: str,
    order: str,
    params: Sequence[Any],
    expected: int,
) -> None:
    """SQLite: insert the lines of the bills joined in ``bills`` (a ``FROM`` clause), with
    ``bill`` and ``template`` its expressions for a bill's id and template number, in the
    order of ``order`` and then ``seq``. The templates are joined last (``CROSS JOIN``
    keeps SQLite to that order of loops). The values reach the table as they were bound,
    with its own type affinity applied there."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(BillLine._meta.get_field(c).column) for c in LINE_COLUMNS)
    cursor.execute(
        f"INSERT INTO {quote(BillLine._meta.db_table)} ({names})"
        f" SELECT {bill}, {', '.join(f't.f{i}' for i in range(len(LINE_FIELDS)))}"
        f" FROM {bills} CROSS JOIN {LINE_TEMPLATES} t ON t.template = {template}"
        f" ORDER BY {order}, t.f0",
        params,
    )
    inserted = cursor.rowcount
    cursor.execute(f"DELETE FROM {LINE_TEMPLATES}")
    if inserted != expected:
        raise RuntimeError(f"wrote {inserted} bill lines, expected {expected}")


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(value: object) -> str:
    """One value in PostgreSQL's COPY text format (dates, decimals and ints as their str)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).translate(_COPY_ESCAPES)


def _copy_text(row: tuple[object, ...]) -> str:
    """A line row (no booleans in it) as one line of COPY text: ``copy_field`` inlined, as
    this runs for every value of every distinct set of lines."""
    return "\t".join(
        [
            "\\N" if v is None else v.translate(_COPY_ESCAPES) if isinstance(v, str) else str(v)
            for v in row
        ]
    )


def _text(value: Decimal | None) -> str | None:
    """A decimal as its exact text, which both databases take for a numeric column (what
    the SQLite adapter would do for every row; done once here, as the rows are shared)."""
    return None if value is None else str(value)


@lru_cache(maxsize=4096)
def db_date(value: date | None) -> object:
    """A date as the database adapter wants it (cached: a run has a handful of dates)."""
    if value is None:
        return None
    return BillLine._meta.get_field("service_start").get_db_prep_save(value, connection)


def line_values(bill: Bill) -> list[tuple[object, ...]]:
    """A bill's stored lines as comparable tuples, in order."""
    return [tuple(row) for row in bill.lines.order_by("seq").values_list(*LINE_FIELDS)]
