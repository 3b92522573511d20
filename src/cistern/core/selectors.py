"""Reads of district-wide records."""

from __future__ import annotations

from datetime import date

from cistern.core.models import CalendarDay, DistrictSettings


def district_settings_get() -> DistrictSettings:
    """The district's settings row (an unsaved default before the first save)."""
    return DistrictSettings.objects.filter(pk=1).first() or DistrictSettings(pk=1)


def closed_dates_between(start: date, end: date) -> frozenset[date]:
    """Dates the office is closed in [start, end], for business-day arithmetic."""
    return frozenset(
        CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True)
    )
