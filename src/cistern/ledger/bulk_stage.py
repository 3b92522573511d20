"""SQLite: a plan's entries staged in scratch tables before the write transaction.

On SQLite one process writes at a time (bill runs queue for it: ``chunks.writer_turn``), so
every second of work moved out of a write transaction is a second another process can use.
Binding each entry's values into the statements that write it was a large part of the
transaction: the varying columns of every entry (``executemany``) and the category sums as
ONE JSON parameter parsed by ``json_each`` (the run's most expensive statement). Temporary
tables are per connection and writing them takes no lock on the main database (the same
pattern as billing/drafts.py), so ``journal_entries_stage_plan`` binds a plan's entries and
their category sums into two of them right after planning; inside the transaction
``staged_entries_write`` writes the entries, the postings and the audit rows from them by
three ``INSERT ... SELECT``, in the same order and with the same values as before.

Which entries post is decided inside the transaction (``bulk_set``), usually every staged
one. The staged rows of entries that dropped out meanwhile (a bill held, a key already
posted) are deleted first; if the rows staged are not this plan's (the plan was made again
inside the transaction, another plan was staged since, nothing was staged), the new entries
are staged there and then.

Never a stale row. The plan's ``token`` is written beside its rows, last; a write uses the
staged rows only if the token is its plan's, and deletes the token as it takes them (a
staging serves one write). Every staging empties the tables first, every write after.
Temporary tables take part in transactions as the main ones do (a rollback, to a savepoint
too, undoes their writes: tests/integration/ledger/test_bulk_stage.py), so a write that
fails leaves the rows and the token together as they were before it: no other plan's write
matches that token, and the next staging empties the tables; the same plan posted again
finds its own rows, whole. (Were temporary writes not undone, the token would be gone and
the next write would stage again.) Rows staged by a plan that then writes nothing (every
bill held meanwhile) stay until the next staging, unused.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from operator import is_
from typing import Any

from django.db import connection

from cistern.core.models import AuditEvent
from cistern.ledger.bulk_plan import CategoryBatch, CategoryPlan, PlannedEntry
from cistern.ledger.bulk_sql import prepared, quoted_names, rows_relation
from cistern.ledger.models import JournalEntry, LedgerAccount, Posting

# The scratch tables (temporary: per connection, emptied after use). Entries by their place
# in the staging; sums by entry then by the category's place in the entry's shape.
ENTRY_ROWS = "cistern_entry_rows"
SUM_ROWS = "cistern_sum_rows"
STAGED_PLAN = "cistern_staged_plan"  # the token of the plan whose rows are staged, if any
_TABLES = (
    f"{ENTRY_ROWS} (position INTEGER PRIMARY KEY, key, hash, day, source_ref, memo, customer,"
    " after)",
    f"{SUM_ROWS} (entry INTEGER, n INTEGER, category, cents, PRIMARY KEY (entry, n)) WITHOUT ROWID",
    f"{STAGED_PLAN} (token)",
)
# The columns both writers (this one and bulk_write's COPY) fill, and the audit action.
ENTRY_COLUMNS = (
    "idempotency_key", "content_hash", "effective_date", "recorded_at", "source",
    "source_ref", "memo", "actor", "reverses",
)  # fmt: skip
AUDIT_COLUMNS = (
    "occurred_at", "actor", "action", "subject_type", "subject_id", "account_id", "before",
    "after", "reason",
)  # fmt: skip
AUDIT_ACTION = "ledger.entry.post"


def journal_entries_stage_plan(*, plan: CategoryPlan) -> None:
    """SQLite: bind the plan's entries into the scratch tables, for ``staged_entries_write``
    to write them in a later transaction. Call it before that transaction: it takes no lock
    on the database. A no-op on PostgreSQL (which copies from text rendered inside)."""
    if connection.vendor == "postgresql":
        return
    with connection.cursor() as cursor, _committed_once():
        _stage(cursor, stageable(plan), token=plan.token)


@contextmanager
def _committed_once() -> Iterator[None]:
    """Outside any transaction, one deferred transaction around the staging, so its rows
    commit once rather than each by itself (about half the cost). It takes no lock on the
    main database: a deferred transaction locks a database only when a statement uses it,
    and this one writes temporary tables only, so it runs while another process writes.
    Inside a transaction (a caller's), nothing: the rows are part of it."""
    connection.ensure_connection()
    raw = connection.connection
    if connection.in_atomic_block or not connection.get_autocommit() or raw.in_transaction:
        yield
        return
    raw.execute("BEGIN DEFERRED")
    try:
        yield
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    raw.execute("COMMIT")


def stageable(plan: CategoryPlan) -> list[PlannedEntry]:
    """The plan's entries that may post (with legs), in plan order: what is staged, each at
    its place in this list. The post's new entries are some of them, in the same order."""
    return [entry for entry in plan.entries.values() if entry.shape.legs]


def staged_entries_write(
    *,
    plan: CategoryPlan,
    new: list[PlannedEntry],
    chart: dict[str, LedgerAccount],
    now: Any,
    actor: Any,
) -> list[int]:
    """SQLite, in the write transaction: write ``new`` (some of the plan's entries, in plan
    order) from the scratch tables, staging them first if the rows staged are not the
    plan's; returns the entries' ids in the order of ``new``. Empties the tables."""
    with connection.cursor() as cursor:
        _create_tables(cursor)  # (none yet if nothing was staged on this connection)
        positions = _take_staged(cursor, plan, new)
        if positions is None:
            _stage(cursor, new, token=None)
            positions = list(range(len(new)))
        base = _id_base(cursor)
        _insert_entries(cursor, plan.batch, base, len(new), now, actor)
        _insert_postings(cursor, plan.batch, base, new, chart)
        _insert_audit(cursor, base, len(new), now, actor)
        _empty(cursor)
    return [base + position for position in positions]


def _stage(cursor: Any, entries: Sequence[PlannedEntry], *, token: str | None) -> None:
    """Empty the tables, then bind ``entries`` (each at its place) and their category sums;
    the token last, so it never stands beside rows staged only in part."""
    _create_tables(cursor)
    _empty(cursor)
    days: dict[date, Any] = {}
    rows = []
    sums = []
    for position, entry in enumerate(entries):
        header = entry.header
        day = days.get(header.effective_date) or days.setdefault(
            header.effective_date, prepared(JournalEntry, "effective_date", header.effective_date)
        )
        rows.append(
            (position, header.idempotency_key, entry.content_hash, day, header.source_ref,
             header.memo, header.customer_account_id, entry.after)
        )  # fmt: skip
        categories = entry.shape.categories
        sums += [(position, n, categories[n], cents) for n, cents in enumerate(entry.amounts)]
    cursor.executemany(f"INSERT INTO {ENTRY_ROWS} VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)
    cursor.executemany(f"INSERT INTO {SUM_ROWS} VALUES (%s, %s, %s, %s)", sums)
    if token is not None:
        cursor.execute(f"INSERT INTO {STAGED_PLAN} VALUES (%s)", [token])


def _create_tables(cursor: Any) -> None:
    for table in _TABLES:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table}")


def _empty(cursor: Any) -> None:
    cursor.execute(f"DELETE FROM {STAGED_PLAN}")  # first: no token beside a partial staging
    cursor.execute(f"DELETE FROM {ENTRY_ROWS}")
    cursor.execute(f"DELETE FROM {SUM_ROWS}")


def _take_staged(cursor: Any, plan: CategoryPlan, new: list[PlannedEntry]) -> list[int] | None:
    """The places of ``new`` in the staging, if the staged rows are the plan's (trimmed to
    ``new``: the rows of entries that dropped out deleted), else None; the token is taken
    either way (a staging serves one write)."""
    cursor.execute(f"SELECT token FROM {STAGED_PLAN}")
    tokens = [row[0] for row in cursor.fetchall()]
    if tokens != [plan.token]:
        return None
    cursor.execute(f"DELETE FROM {STAGED_PLAN}")
    staged = stageable(plan)
    if len(new) == len(staged) and all(map(is_, new, staged)):
        return list(range(len(new)))  # the usual case: every staged entry posts
    place = {id(entry): n for n, entry in enumerate(staged)}
    positions = [place.get(id(entry)) for entry in new]
    if None in positions:
        return None  # not an entry of the staging: stage again
    kept = set(positions)
    dropped = [n for n in range(len(staged)) if n not in kept]
    cursor.execute(
        f"DELETE FROM {ENTRY_ROWS} WHERE position IN (SELECT value FROM json_each(%s))",
        [repr(dropped)],  # a list of ints: its JSON
    )
    cursor.execute(
        f"DELETE FROM {SUM_ROWS} WHERE entry IN (SELECT value FROM json_each(%s))",
        [repr(dropped)],
    )
    return [p for p in positions if p is not None]  # (in plan order, as staged: ascending)


def _id_base(cursor: Any) -> int:
    """The staged entry at place p is written with id ``base + p``: this write transaction
    holds SQLite's one write lock, so no other writer takes an id meanwhile, and ``base``
    is past every id the table has ever given (an AUTOINCREMENT table never reuses one:
    ``sqlite_sequence`` remembers the highest, deleted or not). SQLite raises the sequence
    to the ids written. With the ids known, the postings and the audit rows take their
    entry's id from its place, not from a lookup of the entry just written by its key."""
    table = JournalEntry._meta.db_table
    cursor.execute(
        f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"
        f" COALESCE((SELECT MAX(id) FROM {table}), 0)) + 1",
        [table],
    )
    return int(cursor.fetchone()[0])


def _insert_entries(
    cursor: Any, batch: CategoryBatch, base: int, count: int, now: Any, actor: Any
) -> None:
    """One ``INSERT ... SELECT`` of the staged entries, in order, each with its id."""
    table, names = quoted_names(JournalEntry, ("id", *ENTRY_COLUMNS))
    cursor.execute(
        f"INSERT INTO {table} ({names}) SELECT %s + position, key, hash, day, %s, %s,"
        f" source_ref, memo, %s, NULL FROM {ENTRY_ROWS} ORDER BY position",
        [base, now, batch.source, actor],
    )
    if cursor.rowcount != count:
        raise RuntimeError(f"inserted {cursor.rowcount} entries, not the {count} expected")


def _insert_postings(
    cursor: Any,
    batch: CategoryBatch,
    base: int,
    new: list[PlannedEntry],
    chart: dict[str, LedgerAccount],
) -> None:
    """Every posting of the batch by ONE ``INSERT ... SELECT``: each staged sum as its two
    legs (receivable: the sum, the customer account, the category; revenue: the sum
    negated), in entry order, then the shape's category order, then receivable first. Each
    entry's id is ``base`` plus its place; the sums are joined by entry, the categories'
    accounts (from the chart read in this transaction) by name."""
    categories = sorted(set().union(*{entry.shape.categories for entry in new}))
    accounts, params = rows_relation(
        ("category", "receivable_id", "revenue_id"),
        ("text", "bigint", "bigint"),
        [(c, chart[batch.receivable_for_category[c]].pk,
          chart[batch.revenue_for_category[c]].pk) for c in categories],
    )  # fmt: skip
    # CROSS JOIN keeps SQLite to this order of loops: the staged entries in position order,
    # each one's sums by primary key (in the shape's order), then the legs. (The WITH goes
    # after INSERT INTO: SQLite's driver reports no rowcount otherwise.)
    cursor.execute(
        f"INSERT INTO {Posting._meta.db_table} (entry_id, ledger_account_id, amount_cents,"
        " customer_account_id, charge_category, effective_date)"
        f" WITH m AS MATERIALIZED ({accounts})"
        " SELECT %s + s.position,"
        " CASE WHEN x.side = 0 THEN m.receivable_id ELSE m.revenue_id END,"
        " CASE WHEN x.side = 0 THEN p.cents ELSE -p.cents END,"
        " CASE WHEN x.side = 0 THEN s.customer END,"
        " CASE WHEN x.side = 0 THEN p.category ELSE '' END,"
        " s.day"
        f" FROM {ENTRY_ROWS} s CROSS JOIN {SUM_ROWS} p ON p.entry = s.position"
        " JOIN m ON m.category = p.category"
        " CROSS JOIN (SELECT 0 AS side UNION ALL SELECT 1 AS side) x"
        " ORDER BY s.position, p.n, x.side",
        [*params, base],
    )
    expected = 2 * sum([len(entry.amounts) for entry in new])
    if cursor.rowcount != expected:
        raise RuntimeError(f"wrote {cursor.rowcount} postings, expected {expected}")


def _insert_audit(cursor: Any, base: int, count: int, now: Any, actor: Any) -> None:
    """The audit rows (one per entry: its legs name one customer account) by one ``INSERT
    ... SELECT`` from the staged entries, each naming its entry by id (``base`` + place)."""
    table, names = quoted_names(AuditEvent, AUDIT_COLUMNS)
    cursor.execute(
        f"INSERT INTO {table} ({names}) SELECT %s, %s, %s, %s, CAST(%s + s.position AS TEXT),"
        f" s.customer, '{{}}', s.after, s.memo FROM {ENTRY_ROWS} s ORDER BY s.position",
        [now, actor, AUDIT_ACTION, JournalEntry._meta.label, base],
    )
    if cursor.rowcount != count:
        raise RuntimeError(f"wrote {cursor.rowcount} audit rows, expected {count}")
