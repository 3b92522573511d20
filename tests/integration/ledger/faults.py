"""Test helpers for the set-based writer: a database that refuses some postings, and what
is left in SQLite's staging tables (``bulk_stage``). Both databases."""

from __future__ import annotations

from django.db import connection

from cistern.ledger.bulk_stage import ENTRY_ROWS, STAGED_PLAN, SUM_ROWS

REFUSED = "refused by the test"


def refuse_postings_of(account_id: int) -> None:
    """From now on the database refuses any posting naming this customer account (a
    trigger, as a constraint or a full disk would): the write fails with a database error."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TEMP TRIGGER test_refuse BEFORE INSERT ON ledger_posting"
                f" WHEN NEW.customer_account_id = {int(account_id)}"
                f" BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"
            )
            return
        cursor.execute(
            "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS"
            f" $$ BEGIN RAISE EXCEPTION '{REFUSED}'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER test_refuse BEFORE INSERT ON ledger_posting FOR EACH ROW"
            f" WHEN (NEW.customer_account_id = {int(account_id)}) EXECUTE FUNCTION test_refuse()"
        )


def stop_refusing() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER temp.test_refuse")
            return
        cursor.execute("DROP TRIGGER test_refuse ON ledger_posting")
        cursor.execute("DROP FUNCTION test_refuse()")


def staged_rows() -> tuple[int, int, int]:
    """Rows in SQLite's staging tables: entries, category sums, plan tokens. PostgreSQL
    stages nothing (none, always)."""
    if connection.vendor != "sqlite":
        return 0, 0, 0
    counts = []
    with connection.cursor() as cursor:
        for table in (ENTRY_ROWS, SUM_ROWS, STAGED_PLAN):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts.append(cursor.fetchone()[0])
    return counts[0], counts[1], counts[2]
