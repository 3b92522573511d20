"""Setting a zone's reference ET: all twelve months at once, validated, audited.

A zone's monthly inches are reference data for the water-budget rates (see
``cistern.rates.et``). The whole year is written together so a zone never has a gap; a
refusal changes nothing. The audit event lists the months that changed, before and after.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cistern.core.audit import audit_record, changed_fields
from cistern.core.errors import ServiceError
from cistern.rates.et import HUNDREDTH
from cistern.rates.models import ReferenceEt

MAX_MONTHLY_INCHES = Decimal("15.00")  # above any California month (desert July is ~11)

ET_ZONE_INVALID = _(
    "Enter the zone as up to 20 letters, digits or dashes, for example 14 or Coastal-1."
)
ET_MONTH_MISSING = _("Enter the ET inches for {month}.")
ET_INCHES_INVALID = _(
    "ET for {month} must be a number of inches from 0 to 15 with at most two decimals."
)
ET_REASON_MISSING = _("Say where the values come from (for example: CIMIS ETo zone map).")

_ZONE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{0,19}$")


def _month_key(month: int) -> str:
    return calendar.month_abbr[month].lower()  # "jan", for the audit trail


def _inches_checked(month: int, value: Any) -> Decimal:
    name = calendar.month_name[month]
    if value is None or str(value).strip() == "":
        raise ServiceError(str(ET_MONTH_MISSING).format(month=name), field=f"m{month}")
    try:
        inches = Decimal(str(value).strip())
    except InvalidOperation:
        inches = Decimal(-1)
    if (
        not inches.is_finite()
        or inches < 0
        or inches > MAX_MONTHLY_INCHES
        or inches.as_tuple().exponent < -2  # type: ignore[operator]
    ):
        raise ServiceError(str(ET_INCHES_INVALID).format(month=name), field=f"m{month}")
    return inches.quantize(HUNDREDTH)


def reference_et_set(
    *, zone: str, inches_by_month: Mapping[int, Any], reason: str, actor: Any
) -> list[ReferenceEt]:
    """Store `zone`'s inches for months 1-12 (adding the zone if it is new)."""
    zone = " ".join((zone or "").split())
    if not _ZONE.match(zone):
        raise ServiceError(str(ET_ZONE_INVALID), field="zone")
    inches = {m: _inches_checked(m, inches_by_month.get(m)) for m in range(1, 13)}
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(str(ET_REASON_MISSING), field="reason")
    with transaction.atomic():
        rows = {r.month: r for r in ReferenceEt.objects.select_for_update().filter(zone=zone)}
        old = {_month_key(m): str(Decimal(r.inches).quantize(HUNDREDTH)) for m, r in rows.items()}
        for month, value in inches.items():
            row = rows.get(month)
            if row is None:
                rows[month] = ReferenceEt.objects.create(zone=zone, month=month, inches=value)
            elif row.inches != value:
                row.inches = value
                row.save(update_fields=["inches", "updated_at"])
        new = {_month_key(m): str(v) for m, v in inches.items()}
        before, after = changed_fields(old, new)
        if after:
            audit_record(
                actor=actor,
                action="rates.et.set",
                subject=rows[1],
                before={"zone": zone, **before} if before else {},
                after={"zone": zone, **after},
                reason=reason,
            )
    return [rows[m] for m in range(1, 13)]
