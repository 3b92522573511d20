"""Setting and clearing account flags (medical, low-income, bankruptcy hold, ...).

A flag is never deleted: clearing it stamps ``cleared_on``, so its history stays.
Low-income status keeps only how it was shown (the evidence type) and when — never a
case, benefit or enrollment number, which the district must not hold.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.models import AccountFlag, FlagKind
from cistern.customers.search_index import search_document_refresh
from cistern.customers.services.locks import account_lock

LOW_INCOME_EVIDENCE = {
    "program_enrollment": _("Enrolled in a public assistance program"),
    "income_documents": _("Income documents reviewed"),
    "self_declaration": _("Signed self-declaration"),
}
FLAG_KIND_INVALID = _("Choose a flag from the list.")
FLAG_ALREADY_SET = _("This account already has that flag. Clear it first to set it again.")
FLAG_NOT_SET = _("This account does not have that flag set.")
FLAG_EVIDENCE_MISSING = _(
    "Choose how low-income status was shown, and enter the date it was shown."
)
FLAG_EVIDENCE_INVALID = _("Choose the evidence type from the list.")
FLAG_EVIDENCE_DATE_IN_FUTURE = _("The evidence date cannot be in the future.")
FLAG_LOW_INCOME_NOTE_REFUSED = _(
    "Low-income flags keep only the evidence type and date. Leave the note empty: "
    "never record a case or benefit number."
)
FLAG_NOTE_TOO_LONG = _("Keep the note under 300 characters.")


def _evidence_checked(
    kind: str, evidence_type: str, evidence_date: date | None, note: str
) -> tuple[str, date | None]:
    if kind != FlagKind.LOW_INCOME:
        return "", None
    if not evidence_type or evidence_date is None:
        raise ServiceError(str(FLAG_EVIDENCE_MISSING), field="evidence_type")
    if evidence_type not in LOW_INCOME_EVIDENCE:
        raise ServiceError(str(FLAG_EVIDENCE_INVALID), field="evidence_type")
    if evidence_date > timezone.localdate():
        raise ServiceError(str(FLAG_EVIDENCE_DATE_IN_FUTURE), field="evidence_date")
    if note:
        raise ServiceError(str(FLAG_LOW_INCOME_NOTE_REFUSED), field="note")
    return evidence_type, evidence_date


def account_flag_set(
    *,
    account_id: int,
    kind: str,
    actor: Any,
    evidence_type: str = "",
    evidence_date: date | None = None,
    note: str = "",
    reason: str = "",
) -> AccountFlag:
    """Set a flag on an account. Low-income requires an evidence type and date, and no note."""
    if kind not in FlagKind.values:
        raise ServiceError(str(FLAG_KIND_INVALID), field="kind")
    note = " ".join((note or "").split())
    if len(note) > 300:
        raise ServiceError(str(FLAG_NOTE_TOO_LONG), field="note")
    evidence = _evidence_checked(kind, evidence_type, evidence_date, note)
    with transaction.atomic():
        account = account_lock(account_id)
        if account.flags.filter(kind=kind, cleared_on__isnull=True).exists():
            raise ServiceError(str(FLAG_ALREADY_SET), field="kind")
        flag = AccountFlag.objects.create(
            account=account,
            kind=kind,
            set_on=timezone.localdate(),
            evidence_type=evidence[0],
            evidence_date=evidence[1],
            note=note,
        )
        audit_record(
            actor=actor,
            action="account.flag.set",
            subject=account,
            after={
                "flag": kind,
                "evidence_type": evidence[0],
                "evidence_date": evidence[1],
                "note": note,
            },
            reason=reason,
            account_id=account.pk,
        )
        search_document_refresh(account_id=account.pk)
    return flag


def account_flag_clear(*, account_id: int, kind: str, actor: Any, reason: str = "") -> AccountFlag:
    """Clear an open flag (it stays on file with its cleared date)."""
    with transaction.atomic():
        account = account_lock(account_id)
        flag = account.flags.select_for_update().filter(kind=kind, cleared_on__isnull=True).first()
        if flag is None:
            raise ServiceError(str(FLAG_NOT_SET), field="kind")
        flag.cleared_on = timezone.localdate()
        flag.save(update_fields=["cleared_on"])
        audit_record(
            actor=actor,
            action="account.flag.clear",
            subject=account,
            before={"flag": kind, "set_on": flag.set_on},
            after={"flag": kind, "cleared_on": flag.cleared_on},
            reason=reason,
            account_id=account.pk,
        )
        search_document_refresh(account_id=account.pk)
    return flag
