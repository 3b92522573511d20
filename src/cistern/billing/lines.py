"""Domain bill lines to stored `BillLine` rows, and back (for line-for-line comparisons)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.db import connection

from cistern.billing.models import Bill, BillLine
from cistern.billing.rating import CategorizedLine
from cistern.ledger.bulk_sql import insert_rows


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


# Rows as ``write_lines`` takes them: tuples for ``executemany`` (SQLite), or each row's
# COPY text after the bill id (PostgreSQL): made once per distinct bill and shared.
PreparedLines = tuple[tuple[object, ...], ...] | tuple[str, ...]
LINE_COLUMNS = ("bill", *LINE_FIELDS)


def prepared_lines(lines: Sequence[CategorizedLine]) -> PreparedLines:
    """A bill's lines made ready for ``write_lines`` on this database."""
    rows = line_rows(lines)
    if connection.vendor == "postgresql":
        return tuple("\t".join(_copy_field(value) for value in row) for row in rows)
    return rows


def write_lines(bills: Iterable[tuple[int, PreparedLines]]) -> None:
    """Insert the lines of each (bill id, prepared lines): PostgreSQL ``COPY`` from text
    rendered once per distinct bill (``COPY``'s own row formatting cost more than the
    database's work here), ``executemany`` elsewhere (``ledger.bulk_sql``)."""
    if connection.vendor != "postgresql":
        rows = ((bill_id, *row) for bill_id, prepared in bills for row in prepared)
        insert_rows(BillLine, LINE_COLUMNS, rows)
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(BillLine._meta.get_field(c).column) for c in LINE_COLUMNS)
    text = "".join(f"{bill_id}\t{row}\n" for bill_id, prepared in bills for row in prepared)
    with connection.cursor() as cursor:
        sql = f"COPY {quote(BillLine._meta.db_table)} ({names}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            copy.write(text)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value: object) -> str:
    """One value in PostgreSQL's COPY text format (dates, decimals and ints as their str)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).translate(_COPY_ESCAPES)


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
