"""Drop the single-column indexes on a posting's ledger and customer accounts: the
(account, effective_date) indexes lead with them. SQLite rebuilds the table to alter the
fields, which drops its append-only triggers: they are installed again."""

import django.db.models.deletion
from django.db import migrations, models


def reinstall_sqlite_triggers(apps, schema_editor):
    from cistern.ledger import db_triggers

    if schema_editor.connection.vendor == "sqlite":
        db_triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_premise_rating_data"),
        ("ledger", "0005_statement_level_balance_triggers"),
    ]

    operations = [
        # Reversing rebuilds the table again: the triggers go back after that, too.
        migrations.RunPython(migrations.RunPython.noop, reinstall_sqlite_triggers),
        migrations.AlterField(
            model_name="posting",
            name="customer_account",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="postings",
                to="customers.account",
            ),
        ),
        migrations.AlterField(
            model_name="posting",
            name="ledger_account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="postings",
                to="ledger.ledgeraccount",
            ),
        ),
        migrations.RunPython(reinstall_sqlite_triggers, migrations.RunPython.noop),
    ]
