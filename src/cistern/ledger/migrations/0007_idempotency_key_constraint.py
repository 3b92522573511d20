"""An entry's idempotency key is unique by a UniqueConstraint instead of ``unique=True``: on
PostgreSQL ``unique=True`` on a CharField also builds a ``varchar_pattern_ops`` index (for
LIKE queries, which nothing makes on the key), one more index written per entry. The
constraint is added before the field loses ``unique``, so the key is never unguarded.
SQLite rebuilds the table for both operations, which drops its append-only triggers: they
are installed again, both ways."""

from django.db import migrations, models


def reinstall_sqlite_triggers(apps, schema_editor):
    from cistern.ledger import db_triggers

    if schema_editor.connection.vendor == "sqlite":
        db_triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_drop_covered_indexes"),
    ]

    operations = [
        # Reversing rebuilds the table again: the triggers go back after that, too.
        migrations.RunPython(migrations.RunPython.noop, reinstall_sqlite_triggers),
        migrations.AddConstraint(
            model_name="journalentry",
            constraint=models.UniqueConstraint(
                fields=("idempotency_key",), name="ledger_entry_one_per_idempotency_key"
            ),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="idempotency_key",
            field=models.CharField(max_length=120),
        ),
        migrations.RunPython(reinstall_sqlite_triggers, migrations.RunPython.noop),
    ]
