"""Every database starts with the standard chart of accounts (cistern.ledger.chart)."""

from django.db import migrations


def seed(apps, schema_editor):
    from cistern.ledger.chart import chart_create_missing

    chart_create_missing(apps.get_model("ledger", "LedgerAccount"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_append_only_triggers")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
