"""PostgreSQL: replace the deferred per-row balance triggers (a SUM per entry and per
posting at commit) by a statement-level check of the postings each INSERT wrote and a
deferred check that each entry has postings. See cistern.ledger.db_triggers. Nothing to do
on SQLite, which has no balance trigger."""

from django.db import migrations

# The first design, as migration 0003 installed it: restored if this migration is reversed.
LEGACY_BALANCE = [
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
        f"""CREATE CONSTRAINT TRIGGER {t}_balanced AFTER INSERT ON {t}
            DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balances();"""
        for t in ("ledger_journalentry", "ledger_posting")
    ],
]


def install(apps, schema_editor):
    from cistern.ledger import db_triggers

    db_triggers.install_balance(schema_editor.connection)


def uninstall(apps, schema_editor):
    from cistern.ledger import db_triggers

    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    db_triggers.uninstall_balance(connection)
    with connection.cursor() as cursor:
        for sql in LEGACY_BALANCE:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_seed_chart_of_accounts")]

    operations = [migrations.RunPython(install, uninstall)]
