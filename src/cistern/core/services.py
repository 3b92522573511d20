"""Writes to district-wide records: the district's settings and its business calendar.

Each service runs in one transaction, locks what it changes and records an audit event.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.core.audit import audit_record, changed_fields
from cistern.core.domain.logo import MAX_LOGO_BYTES, LogoRejected, logo_kind
from cistern.core.errors import ServiceError
from cistern.core.holiday_seed import seed_holidays
from cistern.core.models import CalendarDay, CalendarRemoval, DistrictSettings

SETTINGS_FIELDS = frozenset(
    {
        "name",
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
        "phone",
        "email",
        "website",
        "office_hours",
        "time_zone",
    }
)
NAME_REQUIRED = "Enter the district's name."
TIME_ZONE_UNKNOWN = "“{zone}” is not a time zone. Choose one such as America/Los_Angeles."
EMAIL_INVALID = "Enter an e-mail address such as billing@example.org."
WEBSITE_INVALID = "Enter a web address starting with https://."
UNKNOWN_FIELD = "District settings have no field “{field}”."
LOGO_MESSAGES = {
    "too_large": "The logo is larger than 1 MB. Use a smaller image.",
    "wrong_type": "The logo must be a PNG, JPEG or SVG image.",
    "svg_active": "This SVG contains scripts or links to scripts. Use a plain SVG, PNG or JPEG.",
}
CALENDAR_DAY_TAKEN = "{day} is already closed ({name}). Remove it first to change it."
CALENDAR_DAY_WEEKEND = "{day} is a weekend day; the office is closed anyway."
CALENDAR_DAY_MISSING = "{day} is not a closed day on the calendar."
CALENDAR_KIND_UNKNOWN = "Choose a closure or a furlough day."
CALENDAR_NAME_REQUIRED = "Give the day a name, e.g. “Staff training”."
REASON_REQUIRED = "Say why, for the audit trail."
YEARS_OUT_OF_RANGE = "Seed years between 2000 and 2100."


def _settings_locked() -> DistrictSettings:
    DistrictSettings.objects.get_or_create(pk=1)
    return DistrictSettings.objects.select_for_update().get(pk=1)


def _validate_settings(fields: dict[str, Any]) -> dict[str, str]:
    for key in fields:
        if key not in SETTINGS_FIELDS:
            raise ServiceError(_(UNKNOWN_FIELD).format(field=key))
    clean = {key: str(value).strip() for key, value in fields.items()}
    if "name" in clean and not clean["name"]:
        raise ServiceError(_(NAME_REQUIRED), field="name")
    zone = clean.get("time_zone")
    if zone is not None and zone not in zoneinfo.available_timezones():
        raise ServiceError(_(TIME_ZONE_UNKNOWN).format(zone=zone), field="time_zone")
    for key, validator, message in (
        ("email", EmailValidator(), EMAIL_INVALID),
        ("website", URLValidator(schemes=["http", "https"]), WEBSITE_INVALID),
    ):
        if clean.get(key):
            try:
                validator(clean[key])
            except ValidationError as exc:
                raise ServiceError(_(message), field=key) from exc
    return clean


def _read_logo(upload: Any) -> tuple[bytes, str]:
    content = b"".join(upload.chunks())[: MAX_LOGO_BYTES + 1]
    try:
        return content, logo_kind(content)
    except LogoRejected as exc:
        raise ServiceError(_(LOGO_MESSAGES[str(exc)]), field="logo") from exc


def district_settings_update(
    *, actor: Any, logo: Any = None, remove_logo: bool = False, reason: str = "", **fields: Any
) -> DistrictSettings:
    """Change the district's settings. ``logo`` is an uploaded file (checked by content)."""
    clean = _validate_settings(fields)
    logo_file = _read_logo(logo) if logo is not None else None
    with transaction.atomic():
        row = _settings_locked()
        old = {key: getattr(row, key) for key in clean} | {"logo": row.logo.name}
        for key, value in clean.items():
            setattr(row, key, value)
        if logo_file is not None:
            content, kind = logo_file
            row.logo.save(f"logo.{'jpg' if kind == 'jpeg' else kind}", ContentFile(content), False)
        elif remove_logo:
            row.logo = ""
        row.save()
        new = {key: getattr(row, key) for key in clean} | {"logo": row.logo.name}
        before, after = changed_fields(old, new)
        if after:
            audit_record(
                actor=actor,
                action="district.settings.update",
                subject=row,
                before=before,
                after=after,
                reason=reason,
            )
    return row


def calendar_seed_holidays(*, years: Iterable[int], actor: Any = None) -> list[CalendarDay]:
    """Add California's legal holidays for ``years``; idempotent.

    A date already on the calendar (holiday, closure or furlough) is left as it is, and a
    date staff removed on purpose (``CalendarRemoval``) is not brought back.
    """
    year_list = sorted(set(years))
    if any(year < 2000 or year > 2100 for year in year_list):
        raise ServiceError(_(YEARS_OUT_OF_RANGE), field="years")
    with transaction.atomic():
        added = seed_holidays(
            calendar_day=CalendarDay, calendar_removal=CalendarRemoval, years=year_list
        )
        for row in added:
            audit_record(
                actor=actor,
                action="calendar.day.add",
                subject=row,
                after=_day_snapshot(row),
                reason="California legal holiday (seed)",
            )
    return added


def _day_snapshot(row: CalendarDay) -> dict[str, Any]:
    return {"date": row.date.isoformat(), "kind": row.kind, "name": row.name}


def calendar_day_add(
    *, actor: Any, day: date, kind: str, name: str, reason: str = ""
) -> CalendarDay:
    """Close the office on ``day`` (a closure or furlough day)."""
    if kind not in (CalendarDay.Kind.CLOSURE, CalendarDay.Kind.FURLOUGH):
        raise ServiceError(_(CALENDAR_KIND_UNKNOWN), field="kind")
    if not name.strip():
        raise ServiceError(_(CALENDAR_NAME_REQUIRED), field="name")
    if day.weekday() >= 5:
        raise ServiceError(_(CALENDAR_DAY_WEEKEND).format(day=day.isoformat()), field="date")
    with transaction.atomic():
        existing = CalendarDay.objects.select_for_update().filter(date=day).first()
        if existing is not None:
            raise ServiceError(
                _(CALENDAR_DAY_TAKEN).format(day=day.isoformat(), name=existing.name), field="date"
            )
        row = CalendarDay.objects.create(date=day, kind=kind, name=name.strip())
        audit_record(
            actor=actor,
            action="calendar.day.add",
            subject=row,
            after=_day_snapshot(row),
            reason=reason,
        )
    return row


def calendar_day_remove(*, actor: Any, day: date, reason: str) -> None:
    """Reopen the office on ``day``. Remembered, so the holiday seed will not re-add it."""
    if not reason.strip():
        raise ServiceError(_(REASON_REQUIRED), field="reason")
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=day).first()
        if row is None:
            raise ServiceError(_(CALENDAR_DAY_MISSING).format(day=day.isoformat()))
        audit_record(
            actor=actor,
            action="calendar.day.remove",
            subject=row,
            before=_day_snapshot(row),
            reason=reason.strip(),
        )
        CalendarRemoval.objects.update_or_create(
            date=day,
            defaults={
                "name": row.name,
                "removed_at": timezone.now(),
                "removed_by": actor if getattr(actor, "pk", None) else None,
                "reason": reason.strip(),
            },
        )
        row.delete()
