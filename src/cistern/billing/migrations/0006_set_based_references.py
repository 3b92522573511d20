"""PostgreSQL: replace the per-row deferred foreign keys of the high-volume tables (bill
lines, bills, postings, audit events, payments) by statement-level reference triggers. See
cistern.ledger.db_references. Nothing to do on SQLite, which keeps its foreign keys."""

from django.db import migrations


def install(apps, schema_editor):
    from cistern.ledger import db_references

    db_references.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from cistern.ledger import db_references

    db_references.uninstall(schema_editor.connection, schema_editor, apps)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_drop_covered_indexes"),
        ("core", "0006_drop_covered_indexes"),
        ("ledger", "0006_drop_covered_indexes"),
        ("customers", "0004_premise_rating_data"),
        ("rates", "0005_seed_reference_et"),
        ("payments", "0004_hosted_payments"),
        ("staff", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
