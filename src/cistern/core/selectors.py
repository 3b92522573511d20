"""Reads of district-wide records: settings, the calendar and the audit trail."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import QuerySet

from cistern.core.models import AuditEvent, CalendarDay, CalendarRemoval, DistrictSettings

DEFAULT_TIME_ZONE = "America/Los_Angeles"


def district_settings_get() -> DistrictSettings:
    """The district's settings row (an unsaved default before the first save)."""
    return DistrictSettings.objects.filter(pk=1).first() or DistrictSettings(pk=1)


def district_time_zone() -> zoneinfo.ZoneInfo:
    """The district's time zone (America/Los_Angeles when unset or unknown)."""
    name = district_settings_get().time_zone or DEFAULT_TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(DEFAULT_TIME_ZONE)


def closed_dates_between(start: date, end: date) -> frozenset[date]:
    """Dates the office is closed in [start, end], for business-day arithmetic."""
    return frozenset(
        CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True)
    )


def calendar_days_for_year(*, year: int) -> QuerySet[CalendarDay]:
    return CalendarDay.objects.filter(date__year=year).order_by("date")


def calendar_removals_for_year(*, year: int) -> QuerySet[CalendarRemoval]:
    return CalendarRemoval.objects.filter(date__year=year).select_related("removed_by")


def calendar_years() -> list[int]:
    """Years that have closed days, for the year picker."""
    return sorted({d.year for d in CalendarDay.objects.values_list("date", flat=True)})


def _account_model():  # customers sits above core; look it up by name, not by import
    return apps.get_model("customers", "Account")


def audit_event_list(
    *,
    account_number: str = "",
    username: str = "",
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    actor_id: int | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events, newest first, narrowed by the given filters (empty ones are ignored).

    ``action`` matches from the start (``customer.`` finds every customer change); dates
    are whole days in the district's time zone, both ends included.
    """
    events = AuditEvent.objects.select_related("actor").order_by("-occurred_at", "-id")
    if account_number.strip():
        account_ids = _account_model().objects.filter(number=account_number.strip())
        events = events.filter(account_id__in=account_ids.values("pk"))
    if username.strip():
        events = events.filter(actor__username__iexact=username.strip())
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if action.strip():
        events = events.filter(action__startswith=action.strip())
    zone = district_time_zone()
    if date_from:
        events = events.filter(occurred_at__gte=datetime.combine(date_from, time(), zone))
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time(), zone)
        events = events.filter(occurred_at__lt=end)
    return events


def audit_action_names() -> list[str]:
    """Every action name in the trail, for the filter's suggestions.

    No ordering in SQL: the model's default (newest first) would put ``occurred_at`` and
    ``id`` in the ``SELECT DISTINCT`` and send every event to Python."""
    names = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    return sorted(names)


def account_numbers_by_id(account_ids: set[int]) -> dict[int, str]:
    if not account_ids:
        return {}
    rows = _account_model().objects.filter(pk__in=account_ids).values_list("pk", "number")
    return dict(rows)
