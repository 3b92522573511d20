"""Database triggers that keep the audit trail append-only.

PostgreSQL: a BEFORE UPDATE OR DELETE row trigger on ``core_auditevent`` raises. (TRUNCATE,
which the test suite's flush uses on PostgreSQL, fires no row trigger.)

SQLite: BEFORE UPDATE and BEFORE DELETE triggers ``RAISE(ABORT)``. SQLite has no TRUNCATE, so
Django's test flush empties tables with DELETE; the delete trigger therefore asks
``cistern_audit_delete_allowed()``, an SQL function Cistern registers on each of its
connections (``apps.py``). It is false unless the setting ``CISTERN_AUDIT_SQLITE_ALLOW_DELETE``
is true (test settings only). A connection opened outside Cistern lacks the function, so a
delete there fails too.

Rebuilding ``core_auditevent`` on SQLite (a migration that alters it) drops its triggers:
such a migration must call ``install`` again.
"""

from __future__ import annotations

from typing import Any

TABLE = "core_auditevent"
REFUSAL = "the audit trail is append-only"

PG_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION core_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSAL} (% on % refused)', TG_OP, TG_TABLE_NAME;
    END $$;
    """,
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION core_audit_refuse_change();""",
]
PG_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    "DROP FUNCTION IF EXISTS core_audit_refuse_change();",
]
SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{REFUSAL} (UPDATE on {TABLE} refused)'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        WHEN NOT cistern_audit_delete_allowed()
        BEGIN SELECT RAISE(ABORT, '{REFUSAL} (DELETE on {TABLE} refused)'); END;""",
]
SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update;",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;",
]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)  # no params: keep plpgsql's % literal


def install(apps: Any, schema_editor: Any) -> None:
    """RunPython forward: install the triggers for this database's vendor."""
    _run(schema_editor, {"postgresql": PG_INSTALL, "sqlite": SQLITE_INSTALL})


def uninstall(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"postgresql": PG_UNINSTALL, "sqlite": SQLITE_UNINSTALL})
