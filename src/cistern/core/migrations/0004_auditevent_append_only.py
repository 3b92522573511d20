"""The audit trail refuses UPDATE and DELETE (triggers on PostgreSQL and SQLite)."""

from django.db import migrations

from cistern.core import db_triggers


class Migration(migrations.Migration):
    dependencies = [("core", "0003_calendar_removal")]

    operations = [migrations.RunPython(db_triggers.install, db_triggers.uninstall)]
