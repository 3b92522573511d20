"""Writes to the fee schedule. A change is a new effective-dated row; rows are never edited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.rates.models import FeeSchedule

FEE_SAME_DAY = (
    "Fee “{code}” already has an amount starting {day}. Choose a later effective date; "
    "an amount in force is never edited, a change starts a new row."
)
FEE_CODE_INVALID = "Use lower-case letters, digits and underscores for the fee code."
FEE_LABEL_REQUIRED = "Give the fee a label customers will read on their bill."


@transaction.atomic
def fee_schedule_add(
    *,
    code: str,
    label: str,
    amount_cents: int,
    effective_from: date,
    resolution: str = "",
    actor: Any,
) -> FeeSchedule:
    """Put a fee amount in force from ``effective_from`` (a new row; earlier rows stay)."""
    code = code.strip()
    if not code or not all(c.islower() or c.isdigit() or c == "_" for c in code):
        raise ServiceError(_(FEE_CODE_INVALID), field="code")
    if not label.strip():
        raise ServiceError(_(FEE_LABEL_REQUIRED), field="label")
    if amount_cents < 0:
        raise ServiceError(_("A fee cannot be negative."), field="amount_cents")
    # Lock the code's rows so two clerks cannot add the same day at once.
    existing = list(FeeSchedule.objects.select_for_update().filter(code=code))
    if any(row.effective_from == effective_from for row in existing):
        raise ServiceError(
            _(FEE_SAME_DAY).format(code=code, day=effective_from.isoformat()),
            field="effective_from",
        )
    row = FeeSchedule.objects.create(
        code=code,
        label=label.strip(),
        amount_cents=amount_cents,
        effective_from=effective_from,
        resolution=resolution.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="rates.fee.add",
        subject=row,
        after={"code": code, "amount_cents": amount_cents, "effective_from": effective_from},
        reason=resolution,
    )
    return row
