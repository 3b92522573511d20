"""Which California legal holidays to add to the calendar, for the service and the migration.

Takes the model classes as arguments so the data migration can pass its historical models.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import holidays

HOLIDAY_KIND = "holiday"


def holidays_to_add(*, years: Iterable[int], taken: set[Any]) -> list[tuple[Any, str]]:
    """(date, name) of California's legal holidays in ``years`` not in ``taken``, by date."""
    source = holidays.country_holidays("US", subdiv="CA", years=sorted(set(years)))
    return [(day, name[:120]) for day, name in sorted(source.items()) if day not in taken]


def seed_holidays(*, calendar_day: Any, calendar_removal: Any, years: Iterable[int]) -> list[Any]:
    """Create the missing holiday rows; skips dates already on the calendar or removed."""
    taken = set(calendar_day.objects.values_list("date", flat=True))
    taken |= set(calendar_removal.objects.values_list("date", flat=True))
    return [
        calendar_day.objects.create(date=day, kind=HOLIDAY_KIND, name=name, seeded=True)
        for day, name in holidays_to_add(years=years, taken=taken)
    ]
