from django.db import migrations

from cistern.payments import db_triggers


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(db_triggers.install, db_triggers.uninstall)]
