"""Finance's edits to the chart of accounts, and the seeding of the standard chart.

A ledger account's code, kind and receivable flag are fixed once anything has posted to
it (history must keep meaning what it meant); its name, GL coordinates and active flag may
change at any time. Every change is audited.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cistern.core.audit import audit_record, changed_fields
from cistern.core.errors import ServiceError
from cistern.ledger.chart import chart_create_missing
from cistern.ledger.models import LedgerAccount

ACCOUNT_CODE_IN_USE = "Code “{code}” is already in the chart of accounts. Choose another code."
ACCOUNT_CODE_LOCKED = "The code of {code} cannot change: it already has postings."
ACCOUNT_KIND_LOCKED = (
    "The kind and receivable flag of {code} cannot change: it already has postings."
)
ACCOUNT_CODE_MISSING = "Enter a code (letters, digits and dashes, up to 20 characters)."
ACCOUNT_NAME_MISSING = "Enter the account's name."

_EDITABLE = ("code", "name", "kind", "is_receivable", "gl_fund", "gl_department", "gl_account")
_LOCKED_BY_POSTINGS = ("kind", "is_receivable")


def _snapshot(account: LedgerAccount) -> dict[str, Any]:
    return {f: getattr(account, f) for f in (*_EDITABLE, "active")}


def _check_code(code: str, *, exclude_pk: int | None = None) -> str:
    code = (code or "").strip().upper()
    if not code or len(code) > 20:
        raise ServiceError(ACCOUNT_CODE_MISSING, field="code")
    if LedgerAccount.objects.filter(code=code).exclude(pk=exclude_pk).exists():
        raise ServiceError(ACCOUNT_CODE_IN_USE.format(code=code), field="code")
    return code


def ledger_account_create(
    *,
    code: str,
    name: str,
    kind: str,
    is_receivable: bool = False,
    gl_fund: str = "",
    gl_department: str = "",
    gl_account: str = "",
    active: bool = True,
    actor: Any,
) -> LedgerAccount:
    """Add a line to the chart of accounts."""
    if not name.strip():
        raise ServiceError(ACCOUNT_NAME_MISSING, field="name")
    with transaction.atomic():
        account = LedgerAccount.objects.create(
            code=_check_code(code),
            name=name.strip(),
            kind=kind,
            is_receivable=is_receivable,
            gl_fund=gl_fund,
            gl_department=gl_department,
            gl_account=gl_account,
            active=active,
        )
        audit_record(
            actor=actor, action="ledger.account.create", subject=account, after=_snapshot(account)
        )
    return account


def ledger_account_update(
    *, account: LedgerAccount, actor: Any, reason: str = "", **changes: Any
) -> LedgerAccount:
    """Change fields of a chart line (``name=``, ``gl_fund=``, ``active=``, ``code=``...)."""
    unknown = set(changes) - {*_EDITABLE, "active"}
    if unknown:
        raise TypeError(f"ledger_account_update cannot change {sorted(unknown)}")
    with transaction.atomic():
        row = LedgerAccount.objects.select_for_update().get(pk=account.pk)
        old = _snapshot(row)
        has_postings = row.postings.exists()
        if "code" in changes:
            changes["code"] = _check_code(changes["code"], exclude_pk=row.pk)
            if has_postings and changes["code"] != row.code:
                raise ServiceError(ACCOUNT_CODE_LOCKED.format(code=row.code), field="code")
        if "name" in changes and not str(changes["name"]).strip():
            raise ServiceError(ACCOUNT_NAME_MISSING, field="name")
        for field in _LOCKED_BY_POSTINGS:
            if has_postings and field in changes and changes[field] != getattr(row, field):
                raise ServiceError(ACCOUNT_KIND_LOCKED.format(code=row.code), field=field)
        for field, value in changes.items():
            setattr(row, field, value.strip() if isinstance(value, str) else value)
        before, after = changed_fields(old, _snapshot(row))
        if after:
            row.save(update_fields=list(after))
            audit_record(
                actor=actor,
                action="ledger.account.update",
                subject=row,
                before=before,
                after=after,
                reason=reason,
            )
    return row


def ledger_chart_seed(*, actor: Any = None) -> list[LedgerAccount]:
    """Create whichever standard chart lines are missing; leave existing ones untouched."""
    with transaction.atomic():
        created = chart_create_missing(LedgerAccount)
        for account in created:
            audit_record(
                actor=actor,
                action="ledger.account.create",
                subject=account,
                after=_snapshot(account),
                reason="standard chart of accounts",
            )
    return created
