"""Referential integrity of the high-volume tables, checked per statement on PostgreSQL.

Django makes every foreign key a ``DEFERRABLE INITIALLY DEFERRED`` constraint; PostgreSQL
checks one with a query per inserted row at commit (and takes a row lock on the parent).
A 100,000-account bill run inserts about 100,000 bills, 300,000 lines, 100,000 entries,
300,000 postings and 100,000 audit rows: those per-row checks cost 7-12 s of its commits
(and about 4 s for a 100,000-item lockbox file's payments; the entries' actor alone was
92,578 ``SELECT ... FOR KEY SHARE`` of one user per run). On PostgreSQL the foreign keys
listed in ``REFERENCES`` are therefore replaced by triggers that do the same job per
statement:

- ``<child>_refs_insert`` / ``<child>_refs_update``: statement-level AFTER INSERT (and
  UPDATE) triggers with transition tables. For each reference column, one query over the
  statement's distinct values refuses the statement if any value names no parent row
  (SQLSTATE 23503, so Django raises ``IntegrityError``). Checked at the end of the
  statement, not at commit: every writer inserts parents before their children. An UPDATE
  checks only the columns it changed in some row (found by one join of its old and new
  rows), as PostgreSQL's own check skips an unchanged key. (PostgreSQL refuses a column
  list, ``AFTER UPDATE OF col``, on a trigger with transition tables.) The append-only
  children (``APPEND_ONLY``: entries, postings, audit rows), whose own triggers refuse
  every UPDATE, have only the insert trigger.
- Where the parent can be deleted while children are being written (a draft bill, a rate
  version, a bill run, a user, a payment batch or receipt), the check takes
  ``FOR KEY SHARE`` on the parents, as PostgreSQL's own check does, so a concurrent delete
  waits for the writer's commit — once per distinct parent instead of once per row. Not
  on parents the same top-level transaction inserted (their ``xmin`` is its xid): no one
  else can see them to delete them before it commits, and then its children are
  committed too. That spares a calculation's lines a lock (a dirtied page and a WAL
  record) on each of the 100,000 bills it has just written.
- ``<parent>_refs_delete``: a statement-level AFTER DELETE trigger on each parent refuses
  the delete while a child row still refers to it. For the parents whose children do not
  lock them (customer accounts, chart accounts: 100,000 distinct accounts per run), it
  first takes ``SHARE`` on the child tables, so it waits for writers in flight and sees
  their rows. Django's ``on_delete`` still runs in Python (CASCADE deletes a bill's lines
  before the bill; PROTECT refuses). Journal entries are never deleted (the append-only
  trigger refuses), so they need no delete check.
- ``<parent>_refs_key``: a row trigger that refuses changing a referenced primary key
  (``BEFORE UPDATE OF id``; Django never sets a primary key in an UPDATE, so it never
  fires in normal use).

The checks see committed rows under READ COMMITTED, Django's isolation level, which the
lock-then-check order relies on. SQLite keeps its real ``REFERENCES`` (its checks are
cheap C code); the models keep ``db_constraint=True`` so both vendors share one migration
history, and a later ``AlterField`` on one of these columns would put the PostgreSQL
foreign key back (harmless, only slower). ``cistern ledger-check`` reports missing
triggers (I3) and orphaned references (R1) on either database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple


class Reference(NamedTuple):
    child: str  # table
    column: str
    parent: str  # table; the referenced column is always ``id``
    lock: bool  # take FOR KEY SHARE on the parents (deletable by application code)


REFERENCES = (
    Reference("billing_billline", "bill_id", "billing_bill", lock=True),
    Reference("billing_billline", "rate_version_id", "rates_rateversion", lock=True),
    Reference("billing_bill", "account_id", "customers_account", lock=False),
    Reference("billing_bill", "run_id", "billing_billrun", lock=True),
    Reference("billing_bill", "journal_entry_id", "ledger_journalentry", lock=False),
    Reference("ledger_journalentry", "actor_id", "staff_user", lock=True),
    Reference("ledger_journalentry", "reverses_id", "ledger_journalentry", lock=False),
    Reference("ledger_posting", "entry_id", "ledger_journalentry", lock=False),
    Reference("ledger_posting", "ledger_account_id", "ledger_ledgeraccount", lock=False),
    Reference("ledger_posting", "customer_account_id", "customers_account", lock=False),
    Reference("core_auditevent", "actor_id", "staff_user", lock=True),
    Reference("payments_payment", "account_id", "customers_account", lock=False),
    Reference("payments_payment", "created_by_id", "staff_user", lock=True),
    Reference("payments_payment", "entry_id", "ledger_journalentry", lock=False),
    Reference("payments_payment", "reversal_entry_id", "ledger_journalentry", lock=False),
    Reference("payments_payment", "batch_id", "payments_paymentbatch", lock=True),
    Reference("payments_payment", "receipt_id", "payments_receipt", lock=True),
)
# Children that are never updated (an append-only trigger refuses it) need no update check.
APPEND_ONLY = {"ledger_journalentry", "ledger_posting", "core_auditevent"}
# Journal entries are never deleted: their append-only trigger refuses it.
NEVER_DELETED = {"ledger_journalentry"}

# PL/pgSQL RAISE formats: each % takes the next argument.
MISSING_PARENT = "%.% = % refers to no row of %"
STILL_REFERENCED = "% row % is still referenced by %.%: delete or move those rows first"
KEY_CHANGE = "the id of a % row cannot change while rows may refer to it"

# Arguments come in fours: column, parent table, lock ('lock' or 'none'), child table.
# Each column's distinct values are read from the statement's rows once, into an array.
# An UPDATE first finds, in one join of its old and new rows by id, the columns it changed
# in any row (a new row with no old row of its id counts as changed) and checks only those:
# an unchanged reference was checked when it was set, and a delete of its parent meanwhile
# sees the committed row and is refused (the posting UPDATE of 100,000 bills checks only
# their entries, not their accounts and runs). Parents to lock are first counted among the
# rows this top-level transaction inserted (``own``, its xid): nobody else can see those,
# so none can be deleted before this commits, and locking them would only dirty and
# WAL-log each one (a calculation's lines name only bills it has just written). Only the
# others are locked; rows inserted in a savepoint (another xid) are locked like any other.
# Every parent lookup is by primary key: told the array holds 5,000 ids, the planner would
# rather read a 100,000-bill table whole than probe its index 5,000 times (55-70 ms a chunk
# against 4 ms), hence no sequential scans in this function.
_CHECK_NEW_ROWS = f"""
CREATE OR REPLACE FUNCTION cistern_refs_check_new_rows() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $$
DECLARE
    i integer := 0;
    own xid := pg_current_xact_id_if_assigned()::xid;
    changes text := '';
    changed boolean[];
    ids bigint[];
    bad bigint;
    found bigint;
    locked bigint;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        WHILE i < TG_NARGS LOOP
            changes := changes || format(
                ', bool_or(o.id IS NULL OR n.%1$I IS DISTINCT FROM o.%1$I)', TG_ARGV[i]);
            i := i + 4;
        END LOOP;
        EXECUTE format(
            'SELECT ARRAY[%s] FROM cistern_new_rows n '
            'LEFT JOIN cistern_old_rows o ON o.id = n.id', substr(changes, 3)) INTO changed;
        i := 0;
    END IF;
    WHILE i < TG_NARGS LOOP
        IF TG_OP = 'UPDATE' AND NOT coalesce(changed[i / 4 + 1], false) THEN
            i := i + 4;
            CONTINUE;
        END IF;
        EXECUTE format(
            'SELECT array_agg(d.v) FROM (SELECT DISTINCT %1$I AS v FROM cistern_new_rows '
            'WHERE %1$I IS NOT NULL) AS d', TG_ARGV[i]) INTO ids;
        IF ids IS NULL THEN
            i := i + 4;
            CONTINUE;
        END IF;
        IF TG_ARGV[i + 2] = 'lock' THEN
            EXECUTE format(
                'SELECT count(*) FROM %I p WHERE p.id = ANY ($1) AND p.xmin = $2',
                TG_ARGV[i + 1]) INTO found USING ids, own;
            IF found < cardinality(ids) THEN
                EXECUTE format(
                    'SELECT count(*) FROM (SELECT 1 FROM %I p WHERE p.id = ANY ($1) '
                    'AND p.xmin IS DISTINCT FROM $2 FOR KEY SHARE) AS l',
                    TG_ARGV[i + 1]) INTO locked USING ids, own;
                found := found + locked;
            END IF;
            IF found = cardinality(ids) THEN
                i := i + 4;
                CONTINUE;
            END IF;
        END IF;
        EXECUTE format(
            'SELECT d.v FROM unnest($1) AS d (v) '
            'WHERE NOT EXISTS (SELECT 1 FROM %I p WHERE p.id = d.v) LIMIT 1',
            TG_ARGV[i + 1]) INTO bad USING ids;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION '{MISSING_PARENT}', TG_ARGV[i + 3], TG_ARGV[i], bad, TG_ARGV[i + 1]
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        i := i + 4;
    END LOOP;
    RETURN NULL;
END $$;
"""
# Arguments come in threes: child table, column, lock ('share' or 'none').
_CHECK_OLD_ROWS = f"""
CREATE OR REPLACE FUNCTION cistern_refs_check_old_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i integer := 0;
    bad bigint;
BEGIN
    WHILE i < TG_NARGS LOOP
        IF TG_ARGV[i + 2] = 'share' THEN
            EXECUTE format('LOCK TABLE %I IN SHARE MODE', TG_ARGV[i]);
        END IF;
        EXECUTE format(
            'SELECT o.id FROM cistern_old_rows o WHERE EXISTS '
            '(SELECT 1 FROM %1$I c WHERE c.%2$I = o.id) LIMIT 1',
            TG_ARGV[i], TG_ARGV[i + 1]) INTO bad;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION '{STILL_REFERENCED}', TG_TABLE_NAME, bad, TG_ARGV[i], TG_ARGV[i + 1]
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        i := i + 3;
    END LOOP;
    RETURN NULL;
END $$;
"""
_REFUSE_KEY_CHANGE = f"""
CREATE OR REPLACE FUNCTION cistern_refs_refuse_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{KEY_CHANGE}', TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
END $$;
"""
FUNCTIONS = (
    "cistern_refs_check_new_rows",
    "cistern_refs_check_old_rows",
    "cistern_refs_refuse_key_change",
)


def _children(references: Sequence[Reference]) -> dict[str, list[Reference]]:
    out: dict[str, list[Reference]] = {}
    for ref in references:
        out.setdefault(ref.child, []).append(ref)
    return out


def _parents(references: Sequence[Reference]) -> dict[str, list[Reference]]:
    out: dict[str, list[Reference]] = {}
    for ref in references:
        if ref.parent not in NEVER_DELETED:
            out.setdefault(ref.parent, []).append(ref)
    return out


def _args(values: list[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _child_triggers(child: str, refs: list[Reference]) -> list[str]:
    args = _args(
        [v for r in refs for v in (r.column, r.parent, "lock" if r.lock else "none", child)]
    )
    tables = {"insert": "NEW TABLE AS cistern_new_rows"}
    if child not in APPEND_ONLY:
        tables["update"] = "OLD TABLE AS cistern_old_rows NEW TABLE AS cistern_new_rows"
    return [
        f"""CREATE TRIGGER {child}_refs_{event} AFTER {event.upper()} ON {child}
            REFERENCING {transition} FOR EACH STATEMENT
            EXECUTE FUNCTION cistern_refs_check_new_rows({args});"""
        for event, transition in tables.items()
    ]


def _parent_triggers(parent: str, refs: list[Reference]) -> list[str]:
    args = _args([v for r in refs for v in (r.child, r.column, "none" if r.lock else "share")])
    return [
        f"""CREATE TRIGGER {parent}_refs_delete AFTER DELETE ON {parent}
            REFERENCING OLD TABLE AS cistern_old_rows FOR EACH STATEMENT
            EXECUTE FUNCTION cistern_refs_check_old_rows({args});""",
        f"""CREATE TRIGGER {parent}_refs_key BEFORE UPDATE OF id ON {parent}
            FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
            EXECUTE FUNCTION cistern_refs_refuse_key_change();""",
    ]


def _trigger_tables(references: Sequence[Reference] = REFERENCES) -> dict[str, str]:
    """Trigger name -> its table, for every trigger installed for ``references``."""
    out = {}
    for child in _children(references):
        out[f"{child}_refs_insert"] = child
        if child not in APPEND_ONLY:
            out[f"{child}_refs_update"] = child
    for parent in _parents(references):
        out[f"{parent}_refs_delete"] = parent
        out[f"{parent}_refs_key"] = parent
    return out


def trigger_names() -> set[str]:
    """Every trigger this module installs (PostgreSQL), for ``ledger-check`` (I3)."""
    return set(_trigger_tables())


def install(connection: Any, references: Sequence[Reference] = REFERENCES) -> None:
    """Drop the foreign keys of ``references`` and (re)install the triggers (PostgreSQL only).

    Safe to run again: a later migration that adds a reference calls it once more."""
    if connection.vendor != "postgresql":
        return
    statements = [_CHECK_NEW_ROWS, _CHECK_OLD_ROWS, _REFUSE_KEY_CHANGE]
    for child, refs in _children(references).items():
        statements += _child_triggers(child, refs)
    for parent, refs in _parents(references).items():
        statements += _parent_triggers(parent, refs)
    with connection.cursor() as cursor:
        for ref in references:
            for name in _foreign_keys(cursor, ref):
                cursor.execute(f'ALTER TABLE {ref.child} DROP CONSTRAINT "{name}"')
        for name, table in _trigger_tables(references).items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for sql in statements:
            cursor.execute(sql)


def uninstall(connection: Any, schema_editor: Any, apps: Any) -> None:
    """Drop the triggers and put Django's foreign keys back (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, table in _trigger_tables().items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for function in FUNCTIONS:
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")
    _add_foreign_keys(connection, schema_editor, apps, REFERENCES)


def withdraw(connection: Any, schema_editor: Any, apps: Any, refs: Sequence[Reference]) -> None:
    """Check ``refs`` by foreign keys again and the other references by triggers (PostgreSQL
    only): reverses a migration that moved ``refs`` to triggers."""
    if connection.vendor != "postgresql":
        return
    rest = [r for r in REFERENCES if r not in refs]
    with connection.cursor() as cursor:
        for name, table in _trigger_tables(refs).items():
            if name not in _trigger_tables(rest):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    install(connection, rest)
    _add_foreign_keys(connection, schema_editor, apps, refs)


def _add_foreign_keys(
    connection: Any, schema_editor: Any, apps: Any, refs: Sequence[Reference]
) -> None:
    """Django's foreign key on each of ``refs`` that has none."""
    with connection.cursor() as cursor:
        columns = {(r.child, r.column) for r in refs if not _foreign_keys(cursor, r)}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.remote_field and (model._meta.db_table, field.column) in columns:
                schema_editor.execute(
                    schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s")
                )


def _foreign_keys(cursor: Any, ref: Reference) -> list[str]:
    cursor.execute(
        """SELECT c.conname FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
            WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND a.attname = %s""",
        [ref.child, ref.column],
    )
    return [row[0] for row in cursor.fetchall()]


def missing(connection: Any) -> set[str]:
    """Expected reference triggers absent from the database (PostgreSQL; none on SQLite)."""
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        present = {row[0] for row in cursor.fetchall()}
    return trigger_names() - present


def orphans(connection: Any, limit: int) -> list[str]:
    """Rows whose reference names no parent row, on either database (``ledger-check`` R1)."""
    problems = []
    with connection.cursor() as cursor:
        for ref in REFERENCES:
            cursor.execute(
                f"""SELECT c.id, c.{ref.column} FROM {ref.child} c
                     WHERE c.{ref.column} IS NOT NULL AND NOT EXISTS
                           (SELECT 1 FROM {ref.parent} p WHERE p.id = c.{ref.column})
                     ORDER BY c.id LIMIT {int(limit)}"""
            )
            problems += [
                f"{ref.child} row {row_id}: {ref.column} = {value} refers to no {ref.parent} row"
                for row_id, value in cursor.fetchall()
            ]
    return problems
