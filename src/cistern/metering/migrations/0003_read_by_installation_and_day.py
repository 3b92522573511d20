"""A meter read's installation is indexed with the read date, (installation, read_on),
instead of alone: a bill run reads each installation's reads of the period
(``billing.inputs._reads``: ``read_on`` from ... to ..., ``installation_id = ANY(...)``), which
the single-column index answered with every read of the installation's history, filtered in
the table. The composite index serves the foreign key's lookups as well, so the table keeps
as many indexes. The new index goes in before the old one comes out.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("metering", "0002_readimport_meterread"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="meterread",
            index=models.Index(
                fields=["installation", "read_on"], name="metering_read_install_day"
            ),
        ),
        migrations.AlterField(
            model_name="meterread",
            name="installation",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reads",
                to="metering.meterinstallation",
            ),
        ),
    ]
