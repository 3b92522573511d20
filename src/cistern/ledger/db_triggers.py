"""Database triggers that keep the ledger append-only (I3) and balanced (I1).

PostgreSQL: BEFORE UPDATE OR DELETE row triggers on entries and postings raise. The
balance rule — every entry's postings sum to zero over at least two legs — is checked in
two parts that together cost one set-based query per INSERT statement and one deferred
check per INSERT statement on entries at commit (a bulk post of 100,000 entries used to
fire a per-row deferred SUM 330,000 times, then a per-row deferred probe 100,000 times):

- ``ledger_posting_balanced_stmt``: a statement-level AFTER INSERT trigger on postings. For
  every entry the statement inserted postings for (its ``REFERENCING NEW TABLE``), it sums
  *all* of that entry's postings in the table, old and new, and raises unless they sum to
  zero over at least two legs. Postings are never updated or deleted, so after every
  statement each entry that has postings balances. Every writer inserts an entry's
  postings in one statement (``bulk_create``, the bulk path's ``COPY``, ``INSERT ...
  SELECT``); postings added to an entry later must balance among themselves to pass.
- ``ledger_journalentry_queue_check_stmt`` and ``ledger_entry_check_has_postings``: every
  committed entry has at least one posting — by the rule above, it then balances. An
  entry's postings come after it, so this waits for commit. A statement-level AFTER
  INSERT trigger on entries records the ids the statement inserted as ONE row (a
  ``bigint[]``) of ``ledger_entry_check``; a deferred constraint row trigger on that table
  (``DEFERRABLE INITIALLY DEFERRED``) checks, at commit or ``SET CONSTRAINTS ALL
  IMMEDIATE``, that every one of those ids has a posting (one nested loop of
  ``ledger_posting.entry_id`` index probes), raises ``UNBALANCED`` for the lowest that has
  none, and otherwise deletes its row. So one deferred event per INSERT statement on
  entries instead of one plpgsql call per entry: the commit of a 92,578-entry insert took
  480-840 ms with the per-row trigger (``ledger_journalentry_has_postings``, migrations
  0005-0008), 130-230 ms with this one (what is left is the index probes themselves) and
  about 1 ms with no check at all (docs/decisions/ledger.md, "Triggers"). The table is
  ``UNLOGGED``: a row lives only until the end of the transaction that wrote it (deleted
  by its check at commit, or rolled back with it), so nothing in it ever needs to survive
  a crash or reach a standby, and writing it costs no WAL (a crash empties an unlogged
  table, which is just what it holds at rest). It is not a Django model, so the test
  suite's flush, which truncates the models' tables, leaves it alone: it is empty after
  every transaction.

SQLite: BEFORE UPDATE and BEFORE DELETE triggers ``RAISE(ABORT)``; no balance trigger (the
pure check before writing and ``ledger-check`` cover it). (TRUNCATE, which the test
suite's flush uses on PostgreSQL, fires no row trigger.)

SQLite has no TRUNCATE; Django's test flush empties tables with DELETE. The SQLite delete
triggers therefore ask ``cistern_ledger_delete_allowed()``, an SQL function Cistern
registers on each of its connections (see ``apps.py``): it is false unless the setting
``CISTERN_LEDGER_SQLITE_ALLOW_DELETE`` is true (test settings only). A connection opened
outside Cistern lacks the function, so a delete there fails too.

Rebuilding a table on SQLite (a future migration that alters a ledger table) drops its
triggers: such a migration must call ``install`` again; ``cistern ledger-check`` reports
missing triggers on either database.
"""

from __future__ import annotations

from typing import Any

TABLES = ("ledger_journalentry", "ledger_posting")
REFUSAL = "ledger is append-only: correct a mistake with a reversing entry"
UNBALANCED = "journal entry % does not balance: % cents over % postings"

PG_APPEND_ONLY = [
    f"""
    CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSAL} (% on % refused)', TG_OP, TG_TABLE_NAME;
    END $$;
    """,
    *[
        f"""CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
            FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();"""
        for t in TABLES
    ],
]
# Why the sums come from the statement's own rows: postings are never updated or deleted,
# and every INSERT of postings passes this check, so the postings an entry already had
# sum to zero over none or at least two legs (a single posting is never zero). An entry
# therefore balances after the statement iff its new postings sum to zero, and it has two
# legs unless it got exactly one new posting and had none before: only those entries are
# looked up in the table (one index probe each). Summing every touched entry's postings in
# the table instead cost about 3 s for a 100,000-entry statement. On a refusal the
# message gives the entry's totals over all its postings.
PG_BALANCE = [
    f"""
    CREATE OR REPLACE FUNCTION ledger_check_inserted_postings() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        bad_entry bigint;
        total numeric;
        legs bigint;
    BEGIN
        SELECT added.entry_id INTO bad_entry
          FROM (SELECT entry_id, SUM(amount_cents) AS total, COUNT(*) AS legs
                  FROM ledger_new_postings GROUP BY entry_id) AS added
         WHERE added.total <> 0
            OR (added.legs < 2 AND (
                    SELECT COUNT(*) FROM ledger_posting p WHERE p.entry_id = added.entry_id
                ) < 2)
         LIMIT 1;
        IF FOUND THEN
            SELECT COALESCE(SUM(amount_cents), 0), COUNT(*) INTO total, legs
              FROM ledger_posting WHERE entry_id = bad_entry;
            RAISE EXCEPTION '{UNBALANCED}', bad_entry, total, legs;
        END IF;
        RETURN NULL;
    END $$;
    """,
    # The has-postings check, queued per statement on entries and run at commit (see the
    # module docstring). The lookup is a LATERAL subquery with LIMIT 1 so that the plan is
    # always a nested loop of ``entry_id`` index probes: as ``NOT EXISTS``, a large array
    # against a small table could be planned as a hash anti-join, and on a grown ledger
    # that would read every posting. jit is off because that loop's estimated cost crosses
    # ``jit_above_cost`` at a few tens of thousands of ids, and compiling it costs more
    # than it saves on a query this simple. The lowest id without postings is named.
    """
    CREATE OR REPLACE FUNCTION ledger_queue_entry_check() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO ledger_entry_check (entry_ids)
        SELECT array_agg(id) FROM ledger_new_entries HAVING COUNT(*) > 0;
        RETURN NULL;
    END $$;
    """,
    f"""
    CREATE OR REPLACE FUNCTION ledger_check_queued_entries() RETURNS trigger
    LANGUAGE plpgsql SET jit = off AS $$
    DECLARE
        bad_entry bigint;
    BEGIN
        SELECT MIN(queued.id) INTO bad_entry
          FROM unnest(NEW.entry_ids) AS queued(id)
          LEFT JOIN LATERAL (
                SELECT 1 AS found FROM ledger_posting p WHERE p.entry_id = queued.id LIMIT 1
               ) AS posting ON true
         WHERE posting.found IS NULL;
        IF bad_entry IS NOT NULL THEN
            RAISE EXCEPTION '{UNBALANCED}', bad_entry, 0, 0;
        END IF;
        DELETE FROM ledger_entry_check WHERE id = NEW.id;
        RETURN NULL;
    END $$;
    """,
    "DROP TRIGGER IF EXISTS ledger_posting_balanced_stmt ON ledger_posting;",
    """CREATE TRIGGER ledger_posting_balanced_stmt AFTER INSERT ON ledger_posting
        REFERENCING NEW TABLE AS ledger_new_postings
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_inserted_postings();""",
    """CREATE UNLOGGED TABLE IF NOT EXISTS ledger_entry_check (
        id bigserial PRIMARY KEY,
        entry_ids bigint[] NOT NULL
    );""",
    "DROP TRIGGER IF EXISTS ledger_entry_check_has_postings ON ledger_entry_check;",
    """CREATE CONSTRAINT TRIGGER ledger_entry_check_has_postings
        AFTER INSERT ON ledger_entry_check DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION ledger_check_queued_entries();""",
    "DROP TRIGGER IF EXISTS ledger_journalentry_queue_check_stmt ON ledger_journalentry;",
    """CREATE TRIGGER ledger_journalentry_queue_check_stmt AFTER INSERT ON ledger_journalentry
        REFERENCING NEW TABLE AS ledger_new_entries
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_queue_entry_check();""",
]
# The first design (migration 0003): a deferred row trigger on both tables running a SUM
# per entry and per posting at commit. Dropped by ``install_balance`` (migration 0005).
PG_LEGACY_BALANCE_UNINSTALL = [
    *[f"DROP TRIGGER IF EXISTS {t}_balanced ON {t};" for t in TABLES],
    "DROP FUNCTION IF EXISTS ledger_check_entry_balances();",
]
# The second design's has-postings check (migrations 0005-0008): a deferred row trigger on
# entries, one plpgsql call and index probe per entry at commit. Dropped by
# ``install_balance`` (migration 0009).
PG_ROW_CHECK_UNINSTALL = [
    "DROP TRIGGER IF EXISTS ledger_journalentry_has_postings ON ledger_journalentry;",
    "DROP FUNCTION IF EXISTS ledger_check_entry_has_postings();",
]
# The current has-postings check; dropping the table drops its trigger.
PG_ENTRY_CHECK_UNINSTALL = [
    "DROP TRIGGER IF EXISTS ledger_journalentry_queue_check_stmt ON ledger_journalentry;",
    "DROP TABLE IF EXISTS ledger_entry_check;",
    "DROP FUNCTION IF EXISTS ledger_queue_entry_check();",
    "DROP FUNCTION IF EXISTS ledger_check_queued_entries();",
]
PG_BALANCE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS ledger_posting_balanced_stmt ON ledger_posting;",
    "DROP FUNCTION IF EXISTS ledger_check_inserted_postings();",
    *PG_ENTRY_CHECK_UNINSTALL,
    *PG_ROW_CHECK_UNINSTALL,
]
PG_INSTALL = [*PG_APPEND_ONLY, *PG_BALANCE]
PG_UNINSTALL = [
    *[f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};" for t in TABLES],
    *PG_LEGACY_BALANCE_UNINSTALL,
    *PG_BALANCE_UNINSTALL,
    "DROP FUNCTION IF EXISTS ledger_refuse_change();",
]
PG_EXPECTED = {f"{t}_append_only" for t in TABLES} | {
    "ledger_posting_balanced_stmt",
    "ledger_journalentry_queue_check_stmt",
    "ledger_entry_check_has_postings",
}

SQLITE_INSTALL = [
    *[
        f"""CREATE TRIGGER IF NOT EXISTS {t}_no_update BEFORE UPDATE ON {t}
            BEGIN SELECT RAISE(ABORT, '{REFUSAL} (UPDATE on {t} refused)'); END;"""
        for t in TABLES
    ],
    *[
        f"""CREATE TRIGGER IF NOT EXISTS {t}_no_delete BEFORE DELETE ON {t}
            WHEN NOT cistern_ledger_delete_allowed()
            BEGIN SELECT RAISE(ABORT, '{REFUSAL} (DELETE on {t} refused)'); END;"""
        for t in TABLES
    ],
]
SQLITE_UNINSTALL = [
    *[f"DROP TRIGGER IF EXISTS {t}_no_update;" for t in TABLES],
    *[f"DROP TRIGGER IF EXISTS {t}_no_delete;" for t in TABLES],
]
SQLITE_EXPECTED = {f"{t}_no_update" for t in TABLES} | {f"{t}_no_delete" for t in TABLES}


def install(connection: Any) -> None:
    _run(connection, PG_INSTALL if connection.vendor == "postgresql" else SQLITE_INSTALL)


def uninstall(connection: Any) -> None:
    _run(connection, PG_UNINSTALL if connection.vendor == "postgresql" else SQLITE_UNINSTALL)


def install_balance(connection: Any) -> None:
    """Replace the earlier designs' balance triggers by the current ones (PostgreSQL only).

    Idempotent: migration 0005 runs it on a fresh database, migration 0009 again."""
    if connection.vendor == "postgresql":
        _run(connection, [*PG_LEGACY_BALANCE_UNINSTALL, *PG_ROW_CHECK_UNINSTALL, *PG_BALANCE])


def uninstall_balance(connection: Any) -> None:
    """Drop the balance triggers of either later design (PostgreSQL only; migration 0005's
    reverse)."""
    if connection.vendor == "postgresql":
        _run(connection, PG_BALANCE_UNINSTALL)


def uninstall_entry_check(connection: Any) -> None:
    """Drop the per-statement has-postings check (PostgreSQL only; migration 0009's
    reverse, which puts the per-row trigger back)."""
    if connection.vendor == "postgresql":
        _run(connection, PG_ENTRY_CHECK_UNINSTALL)


def _run(connection: Any, statements: list[str]) -> None:
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def missing(connection: Any) -> set[str]:
    """The names of expected ledger triggers that are not in the database (I3)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'ledger_%%'"
            )
            expected = PG_EXPECTED
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = SQLITE_EXPECTED
        else:
            return set()
        present = {row[0] for row in cursor.fetchall()}
    return expected - present
