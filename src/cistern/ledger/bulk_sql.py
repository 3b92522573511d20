"""Plain-tuple inserts for the bulk posting path (``cistern.ledger.bulk``).

Django's ``bulk_create`` spends most of its time building and preparing model instances
(about 0.3 ms a row here), which is most of a bulk post. These helpers insert tuples the
caller has already prepared for the database: dates and datetimes through the model field's
own ``get_db_prep_save`` (``prepared``), JSON as text. Entries come back with their ids
(``INSERT ... RETURNING``, in the order given, as Django's ``bulk_create`` relies on);
postings and audit rows go in with ``COPY`` on PostgreSQL and ``executemany`` on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

RETURNING_ROWS = 1000  # rows per INSERT ... RETURNING statement (well under both param limits)
EXECUTEMANY_ROWS = 5000


def prepared(model: type[models.Model], field_name: str, value: Any) -> Any:
    """``value`` as the database adapter wants it for ``model.field_name``."""
    return model._meta.get_field(field_name).get_db_prep_save(value, connection)


def _names(model: type[models.Model], columns: Sequence[str]) -> tuple[str, str]:
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
    table, names = _names(model, columns)
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
    table, names = _names(model, columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
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
    inserts with ``insert_rows`` and an ``id`` column."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy_with_ids(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]
) -> list[int]:
    ids = reserve_ids(model, len(rows))
    insert_rows(model, ("id", *columns), [(i, *row) for i, row in zip(ids, rows, strict=True)])
    return ids


def select_in(sql: str, values: Sequence[Any], *, chunk: int = 500) -> list[tuple]:
    """Rows of ``sql`` for ``values``: ``sql`` tests one column with an ``{in_}`` marker.

    PostgreSQL: one query with ``= ANY(%s)`` and the values as one array parameter (an
    ``IN`` list of 100,000 placeholders costs seconds to build and plan); elsewhere,
    ``IN (...)`` a slice of ``chunk`` values at a time, in order. Values come back as the
    driver gives them (SQLite: dates as text), so read ids and strings with it.
    """
    if not values:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql.format(in_="= ANY(%s)"), [list(values)])
            return cursor.fetchall()
        rows: list[tuple] = []
        for start in range(0, len(values), chunk):
            part = list(values[start : start + chunk])
            cursor.execute(sql.format(in_=f"IN ({', '.join(['%s'] * len(part))})"), part)
            rows.extend(cursor.fetchall())
        return rows
