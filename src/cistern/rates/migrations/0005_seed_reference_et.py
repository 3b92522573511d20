"""Seed one ET zone with monthly reference evapotranspiration normals (edit on the ET screen).

Zone "14" holds inches per month like those CIMIS publishes for its ETo zone 14 (the
Sacramento Valley floor): about 57 inches a year, 1.55 in January, 8.68 in July. A district
elsewhere edits the values or adds its own zone on the Rates > Reference ET screen.
"""

from decimal import Decimal

from django.db import migrations

SEED_ZONE = "14"
SEED_INCHES = (
    "1.55", "2.24", "3.72", "5.10", "6.82", "7.80",
    "8.68", "7.75", "5.70", "4.03", "2.10", "1.55",
)  # fmt: skip


def seed(apps, schema_editor):
    et_model = apps.get_model("rates", "ReferenceEt")
    for month, inches in enumerate(SEED_INCHES, start=1):
        et_model.objects.get_or_create(
            zone=SEED_ZONE, month=month, defaults={"inches": Decimal(inches)}
        )


def unseed(apps, schema_editor):
    apps.get_model("rates", "ReferenceEt").objects.filter(zone=SEED_ZONE).delete()


class Migration(migrations.Migration):
    dependencies = [("rates", "0004_reference_et_and_sewer_caps")]

    operations = [migrations.RunPython(seed, unseed)]
