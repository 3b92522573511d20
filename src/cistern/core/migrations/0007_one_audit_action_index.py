"""Fewer indexes written per audit event (see docs/decisions/ledger.md, "Indexes a bill run
writes"):

- ``action``: one index instead of two. ``db_index=True`` built a plain index and, on
  PostgreSQL, a ``varchar_pattern_ops`` one for LIKE; the one index left is
  ``varchar_pattern_ops`` on PostgreSQL, which serves both ``=`` and the audit filter's
  prefix LIKE (SQLite ignores the operator class and builds a plain index).
- (subject type, subject id): only the account history looks events up by subject, and
  only customers'; the index now holds just those (subject id, where the type is
  ``customers.Customer``), not the bill run's 100,000 entry events.

The new indexes go in before the old ones come out. SQLite rebuilds the table to alter the
field, which drops its append-only triggers: they are installed again, both ways.
"""

from django.db import migrations, models

from cistern.core import db_triggers


def reinstall_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        db_triggers.install(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_drop_covered_indexes"),
    ]

    operations = [
        # Reversing rebuilds the table again: the triggers go back after that, too.
        migrations.RunPython(migrations.RunPython.noop, reinstall_sqlite_triggers),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("subject_type", "customers.Customer")),
                fields=["subject_id"],
                name="core_audit_customer_subject",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["action"], name="core_audit_action", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(max_length=80),
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="core_audite_subject_f1453f_idx",
        ),
        migrations.RunPython(reinstall_sqlite_triggers, migrations.RunPython.noop),
    ]
