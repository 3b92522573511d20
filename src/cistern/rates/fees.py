"""The fee schedule: what the district charges for a service event on a given day.

Other apps ask ``fee_amount_cents(code=..., as_of=...)``; the answer is the row for that code
with the latest ``effective_from`` on or before ``as_of``. A code with no row in force is a
configuration error the caller must surface, never a silent zero.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from cistern.core.errors import ServiceError
from cistern.rates.models import FeeSchedule

# Codes seeded by migration 0002; staff may add others on the fee screen.
LATE_FEE = "late_fee"
RETURNED_PAYMENT = "returned_payment"
RECONNECTION_BUSINESS_HOURS = "reconnection_business_hours"
RECONNECTION_AFTER_HOURS = "reconnection_after_hours"
DOOR_TAG = "door_tag"
NEW_ACCOUNT = "new_account"
METER_TEST = "meter_test"
DEPOSIT = "deposit"

FEE_UNKNOWN = "There is no fee “{code}” in force on {day}. Add it on the fee schedule screen."


def fee_row(*, code: str, as_of: date) -> FeeSchedule:
    """The fee row in force for ``code`` on ``as_of``; ServiceError when there is none."""
    row = (
        FeeSchedule.objects.filter(code=code, effective_from__lte=as_of)
        .order_by("-effective_from")
        .first()
    )
    if row is None:
        raise ServiceError(_(FEE_UNKNOWN).format(code=code, day=as_of.isoformat()), field="code")
    return row


def fee_amount_cents(*, code: str, as_of: date) -> int:
    """The amount in cents of fee ``code`` in force on ``as_of``."""
    return fee_row(code=code, as_of=as_of).amount_cents
