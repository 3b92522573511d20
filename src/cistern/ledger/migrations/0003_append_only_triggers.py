"""Triggers refusing UPDATE/DELETE on entries and postings, and (PostgreSQL) a deferred
balance check at commit. See cistern.ledger.db_triggers."""

from django.db import migrations


def install(apps, schema_editor):
    from cistern.ledger import db_triggers

    db_triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from cistern.ledger import db_triggers

    db_triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_initial")]

    operations = [migrations.RunPython(install, uninstall)]
