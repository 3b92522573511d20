"""Seed California's legal holidays for the current year and the next two.

The years are computed when the migration runs (in the district's default time zone); later
years are added from the calendar page ("Add California holidays") or by the service
``calendar_seed_holidays``.
"""

import zoneinfo
from datetime import datetime

from django.db import migrations

from cistern.core.holiday_seed import seed_holidays


def forward(apps, schema_editor):
    this_year = datetime.now(zoneinfo.ZoneInfo("America/Los_Angeles")).year
    seed_holidays(
        calendar_day=apps.get_model("core", "CalendarDay"),
        calendar_removal=apps.get_model("core", "CalendarRemoval"),
        years=range(this_year, this_year + 3),
    )


def backward(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.filter(seeded=True).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0004_auditevent_append_only")]

    operations = [migrations.RunPython(forward, backward)]
