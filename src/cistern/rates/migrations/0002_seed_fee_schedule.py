"""Seed the fee schedule with common California small-district defaults (edit on the fee screen).

Reconnection fees match the SB 998 caps for low-income households ($50 / $150) so that a
district that never edits them still charges no more than the law allows.
"""

from datetime import date

from django.db import migrations

SEED_FROM = date(2020, 1, 1)
DEFAULT_FEES = [
    ("late_fee", "Late payment fee", 1000),
    ("returned_payment", "Returned payment fee", 2500),
    ("reconnection_business_hours", "Reconnection fee (business hours)", 5000),
    ("reconnection_after_hours", "Reconnection fee (after hours)", 15000),
    ("door_tag", "Door tag (disconnection notice) fee", 2500),
    ("new_account", "New account set-up fee", 2500),
    ("meter_test", "Meter test fee (customer request)", 5000),
    ("deposit", "Service deposit", 10000),
]


def seed(apps, schema_editor):
    fee_model = apps.get_model("rates", "FeeSchedule")
    for code, label, cents in DEFAULT_FEES:
        fee_model.objects.get_or_create(
            code=code,
            effective_from=SEED_FROM,
            defaults={"label": label, "amount_cents": cents, "resolution": "Default seed"},
        )


def unseed(apps, schema_editor):
    fee_model = apps.get_model("rates", "FeeSchedule")
    fee_model.objects.filter(effective_from=SEED_FROM, resolution="Default seed").delete()


class Migration(migrations.Migration):
    dependencies = [("rates", "0001_fee_schedule")]
    operations = [migrations.RunPython(seed, unseed)]
