"""PostgreSQL: replace the deferred per-row check that each entry has postings (one plpgsql
call per entry at commit: 480-840 ms for a 92,578-entry bill run insert) by a check queued
once per INSERT statement on entries, in the unlogged table ``ledger_entry_check``, and run
at commit by a deferred trigger on that table. See cistern.ledger.db_triggers. Nothing to do
on SQLite, which has no balance trigger."""

from django.db import migrations

# The per-row check as migration 0005 installed it: restored if this migration is reversed.
ROW_CHECK = [
    """
    CREATE OR REPLACE FUNCTION ledger_check_entry_has_postings() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM ledger_posting WHERE entry_id = NEW.id LIMIT 1;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'journal entry % does not balance: % cents over % postings',
                NEW.id, 0, 0;
        END IF;
        RETURN NULL;
    END $$;
    """,
    "DROP TRIGGER IF EXISTS ledger_journalentry_has_postings ON ledger_journalentry;",
    """CREATE CONSTRAINT TRIGGER ledger_journalentry_has_postings
        AFTER INSERT ON ledger_journalentry DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_has_postings();""",
]


def install(apps, schema_editor):
    from cistern.ledger import db_triggers

    db_triggers.install_balance(schema_editor.connection)


def uninstall(apps, schema_editor):
    from cistern.ledger import db_triggers

    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    db_triggers.uninstall_entry_check(connection)
    with connection.cursor() as cursor:
        for sql in ROW_CHECK:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_lean_entry_and_posting_indexes")]

    operations = [migrations.RunPython(install, uninstall)]
