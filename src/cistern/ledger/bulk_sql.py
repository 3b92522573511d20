"""Plain-tuple inserts for the bulk posting path (``cistern.ledger.bulk``).

Django's ``bulk_create`` spends most of its time building and preparing model instances
(about 0.3 ms a row here), which is most of a bulk post. These helpers insert tuples the
caller has already prepared for the database: dates and datetimes through the model field's
own ``get_db_prep_save`` (``prepared``), JSON as text. Entries come back with their ids
(``INSERT ... RETURNING``, in the order given, as Django's ``bulk_create`` relies on);
postings and audit rows go in with ``COPY`` on PostgreSQL and ``executemany`` on SQLite.
A caller that can render its rows as ``COPY`` text more cheaply than value by value (most
of each row fixed) hands over the text (``copy_text``, ``copy_field``). Many values reach a
statement as one parameter per column (``rows_relation``, ``values_in``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from django.db import connection, models

RETURNING_ROWS = 1000  # rows per INSERT ... RETURNING statement (well under both param limits)
EXECUTEMANY_ROWS = 5000


def prepared(model: type[models.Model], field_name: str, value: Any) -> Any:
    """``value`` as the database adapter wants it for ``model.field_name``."""
    return model._meta.get_field(field_name).get_db_prep_save(value, connection)


def quoted_names(model: type[models.Model], columns: Sequence[str]) -> tuple[str, str]:
    """(the model's table, its columns for these fields), quoted for the database."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    return table, names


def insert_returning_ids(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]
) -> list[int]:
    """Insert ``rows`` and return their new ids, in the order of ``rows``.

    PostgreSQL: take the ids from the table's sequence first, then ``COPY`` the rows with
    them (a statement with thousands of placeholders costs more to build than to run).
    """
    if connection.vendor == "postgresql":
        return _copy_with_ids(model, columns, rows)
    table, names = quoted_names(model, columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), RETURNING_ROWS):
            part = rows[start : start + RETURNING_ROWS]
            sql = (
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(part))} RETURNING id"
            )
            cursor.execute(sql, [value for row in part for value in row])
            ids.extend(row[0] for row in cursor.fetchall())
    if len(ids) != len(rows):
        raise RuntimeError(f"inserted {len(rows)} rows into {table} but got {len(ids)} ids")
    return ids


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert ``rows``: ``COPY`` on PostgreSQL, ``executemany`` elsewhere. Returns the count."""
    table, names = quoted_names(model, columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({names}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:  # see copy_text
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= EXECUTEMANY_ROWS:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new ids from ``model``'s sequence (PostgreSQL only), for rows the caller
    inserts with ``insert_rows`` and an ``id`` column.

    The sequence is named once (``pg_get_serial_sequence`` in a subquery that is not
    flattened, ``OFFSET 0``): written as ``nextval(pg_get_serial_sequence(...))``, the
    lookup ran again for every id, most of the statement's cost."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(s.seq) FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass"
            " AS seq OFFSET 0) s CROSS JOIN generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_text(model: type[models.Model], columns: Sequence[str], parts: Iterable[str]) -> int:
    """``COPY`` rows the caller rendered as PostgreSQL's text format (``copy_field`` per
    value, tab between values, newline after each row): a caller that renders a row with
    one format string, most of it fixed, saves psycopg's formatting of every value. Each
    part (some rows) is sent as soon as it is made, so the server stores rows while the
    caller renders the next ones (a generator keeps the two going side by side). Returns
    the number of rows the server stored (its ``COPY n``), for the caller to check.

    A refusal (a trigger's, a constraint's) is raised as Django's ``DatabaseError``, as
    from ``cursor.execute``: the copy goes around Django's cursor, and callers that fall
    back on a database error (bill posting) catch Django's errors, not the driver's."""
    table, names = quoted_names(model, columns)
    sql = f"COPY {table} ({names}) FROM STDIN"
    with connection.cursor() as cursor:
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for part in parts:
                copy.write(part)
        return int(cursor.cursor.rowcount)


COPY_PART_ROWS = 1000  # rows rendered per part handed to copy_text


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(value: object) -> str:
    """One value in ``COPY``'s text format: None as ``\\N``, booleans as t/f, anything else as
    its ``str`` with backslash, tab, newline and carriage return escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


def copy_parts(count: int, row: Callable[[int], str]) -> Iterator[str]:
    """``COPY`` text of rows 0 .. count - 1 (``row(n)``: its line or lines), handed to
    ``copy_text`` ``COPY_PART_ROWS`` at a time."""
    for start in range(0, count, COPY_PART_ROWS):
        yield "".join(map(row, range(start, min(start + COPY_PART_ROWS, count))))


def _copy_with_ids(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]
) -> list[int]:
    ids = reserve_ids(model, len(rows))
    insert_rows(model, ("id", *columns), [(i, *row) for i, row in zip(ids, rows, strict=True)])
    return ids


def select_in(
    sql: str, values: Sequence[Any], *, chunk: int = 500, pg_type: str | None = None
) -> list[tuple]:
    """Rows of ``sql`` for ``values``: ``sql`` tests one column with an ``{in_}`` marker.

    PostgreSQL: one query with ``= ANY(%s)`` and the values as one array parameter (an
    ``IN`` list of 100,000 placeholders costs seconds to build and plan); given their
    ``pg_type``, as the text of one array literal (``values_in``): psycopg adapting a list
    of 100,000 values one by one cost 0.3-0.6 s a query, the literal a tenth of that.
    Elsewhere, ``IN (...)`` a slice of ``chunk`` values at a time, in order. Values come
    back as the driver gives them (SQLite: dates as text), so read ids and strings with it.
    """
    if not values:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if pg_type is not None:
                test, params = values_in(values, pg_type)
                cursor.execute(sql.format(in_=test), params)
            else:
                cursor.execute(sql.format(in_="= ANY(%s)"), [list(values)])
            return cursor.fetchall()
        rows: list[tuple] = []
        for start in range(0, len(values), chunk):
            part = list(values[start : start + chunk])
            cursor.execute(sql.format(in_=f"IN ({', '.join(['%s'] * len(part))})"), part)
            rows.extend(cursor.fetchall())
        return rows


def rows_relation(
    names: Sequence[str], pg_types: Sequence[str], rows: Sequence[tuple]
) -> tuple[str, list[Any]]:
    """``rows`` as a SELECT the database can join. PostgreSQL: ``unnest`` of one array per
    column, each sent as the text of an array literal (``_pg_array``: the server parses it
    faster than ``json_array_elements`` and ``->>`` per value; psycopg's own adaptation of
    a list is slower still, in Python). SQLite: ONE JSON parameter (an array of arrays) read
    by ``json_each``; materialize it (``WITH r AS MATERIALIZED``) before joining it."""
    if connection.vendor == "postgresql":
        columns = list(zip(*rows, strict=True)) or [()] * len(names)
        arrays = ", ".join(f"%s::{kind}[]" for kind in pg_types)
        params: list[Any] = [
            _pg_array(column, kind) for column, kind in zip(columns, pg_types, strict=True)
        ]
        return f"SELECT * FROM unnest({arrays}) AS r({', '.join(names)})", params
    picks = ", ".join(f"json_extract(value, '$[{n}]') AS {name}" for n, name in enumerate(names))
    return f"SELECT {picks} FROM json_each(%s)", [json.dumps(rows, default=_iso_date)]


def values_in(values: Sequence[Any], pg_type: str) -> tuple[str, list[Any]]:
    """A test of a column against many values, as ONE parameter: ``column {sql}``."""
    if connection.vendor == "postgresql":
        return f"= ANY(%s::{pg_type}[])", [_pg_array(values, pg_type)]
    return "IN (SELECT value FROM json_each(%s))", [json.dumps(values)]


def _pg_array(values: Sequence[Any], pg_type: str) -> str:
    """The text of a PostgreSQL array literal: numbers and dates as their ``str`` (a date's
    is its isoformat), text double-quoted with ``"`` and ``\\`` escaped (each distinct
    value once: a batch's categories repeat), None as NULL."""
    if pg_type == "text":
        quoted = {v: _pg_text(v) for v in set(values)}
        return "{" + ",".join(map(quoted.__getitem__, values)) + "}"
    if None in values:
        return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"
    return "{" + ",".join(map(str, values)) + "}"


def _pg_text(value: str | None) -> str:
    if value is None:
        return "NULL"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _iso_date(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()  # as SQLite stores a DateField
    raise TypeError(f"{type(value).__name__} cannot go into a rows relation")
