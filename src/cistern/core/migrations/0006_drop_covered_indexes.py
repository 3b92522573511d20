"""Drop the single-column index on the audit actor: the (actor, occurred_at) index leads
with it. SQLite rebuilds the table to alter the field, which drops its append-only
triggers: they are installed again."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from cistern.core import db_triggers


def reinstall_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        db_triggers.install(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_seed_california_holidays"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Reversing rebuilds the table again: the triggers go back after that, too.
        migrations.RunPython(migrations.RunPython.noop, reinstall_sqlite_triggers),
        migrations.AlterField(
            model_name="auditevent",
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
    ]
