"""Less index and foreign-key work per entry and posting in a bill run (see
docs/decisions/ledger.md, "Indexes a bill run writes"):

- a posting's (customer account, date) index holds only the postings that name a customer
  account (the receivable legs, about half);
- an entry's ``reverses`` keeps at most one reversal per entry by a conditional unique
  constraint over the entries that reverse one, instead of a one-to-one field's unique
  column over every entry; the constraint is added before the column loses its own, so
  the rule is never unguarded;
- an entry's ``actor`` is no longer indexed (no query looks entries up by it);
- PostgreSQL: ``actor`` and ``reverses`` are checked per statement by the reference
  triggers instead of per row by foreign keys (``db_references.install``; reversing this
  puts the foreign keys back, ``db_references.withdraw``).

SQLite rebuilds the entry table to alter the fields, which drops its append-only triggers:
they are installed again, both ways.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The references this migration moves from foreign keys to triggers (PostgreSQL).
MOVED = (("ledger_journalentry", "actor_id"), ("ledger_journalentry", "reverses_id"))


def reinstall_sqlite_triggers(apps, schema_editor):
    from cistern.ledger import db_triggers

    if schema_editor.connection.vendor == "sqlite":
        db_triggers.install(schema_editor.connection)


def install_references(apps, schema_editor):
    from cistern.ledger import db_references

    db_references.install(schema_editor.connection)


def restore_foreign_keys(apps, schema_editor):
    from cistern.ledger import db_references

    moved = [r for r in db_references.REFERENCES if (r.child, r.column) in MOVED]
    db_references.withdraw(schema_editor.connection, schema_editor, apps, moved)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0008_bill_hot_posting"),
        ("customers", "0004_premise_rating_data"),
        ("ledger", "0007_idempotency_key_constraint"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Reversing rebuilds the table again: the triggers go back after that, too.
        migrations.RunPython(migrations.RunPython.noop, reinstall_sqlite_triggers),
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(
                condition=models.Q(("customer_account__isnull", False)),
                fields=["customer_account", "effective_date"],
                name="ledger_posting_customer_date",
            ),
        ),
        migrations.RemoveIndex(
            model_name="posting",
            name="ledger_post_custome_f967e3_idx",
        ),
        migrations.AddConstraint(
            model_name="journalentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reverses__isnull", False)),
                fields=("reverses",),
                name="ledger_entry_reversed_once",
            ),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="reverses",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reversed_by",
                to="ledger.journalentry",
            ),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(reinstall_sqlite_triggers, migrations.RunPython.noop),
        migrations.RunPython(install_references, restore_foreign_keys),
    ]
