"""Database triggers that keep the ledger append-only (I3) and balanced (I1).

PostgreSQL: BEFORE UPDATE OR DELETE row triggers on entries and postings raise; deferred
constraint triggers check at commit that every entry's postings sum to zero over at least
two legs. SQLite: BEFORE UPDATE and BEFORE DELETE triggers ``RAISE(ABORT)``. (TRUNCATE,
which the test suite's flush uses on PostgreSQL, fires no row trigger.)

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

PG_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSAL} (% on % refused)', TG_OP, TG_TABLE_NAME;
    END $$;
    """,
    """
    CREATE OR REPLACE FUNCTION ledger_check_entry_balances() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        eid bigint;
        total bigint;
        legs integer;
    BEGIN
        IF TG_TABLE_NAME = 'ledger_posting' THEN eid := NEW.entry_id; ELSE eid := NEW.id; END IF;
        SELECT COALESCE(SUM(amount_cents), 0), COUNT(*) INTO total, legs
          FROM ledger_posting WHERE entry_id = eid;
        IF legs < 2 OR total <> 0 THEN
            RAISE EXCEPTION 'journal entry % does not balance: % cents over % postings',
                eid, total, legs;
        END IF;
        RETURN NULL;
    END $$;
    """,
    *[
        f"""CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
            FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();"""
        for t in TABLES
    ],
    *[
        f"""CREATE CONSTRAINT TRIGGER {t}_balanced AFTER INSERT ON {t}
            DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balances();"""
        for t in TABLES
    ],
]
PG_UNINSTALL = [
    *[f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};" for t in TABLES],
    *[f"DROP TRIGGER IF EXISTS {t}_balanced ON {t};" for t in TABLES],
    "DROP FUNCTION IF EXISTS ledger_refuse_change();",
    "DROP FUNCTION IF EXISTS ledger_check_entry_balances();",
]
PG_EXPECTED = {f"{t}_append_only" for t in TABLES} | {f"{t}_balanced" for t in TABLES}

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
