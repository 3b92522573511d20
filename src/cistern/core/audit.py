"""The audit trail's one writer.

Every service that changes customer, account, bank or ledger data calls ``audit_record``
inside its transaction, so the change and its audit row commit or roll back together.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from cistern.core.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    subject: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    account_id: int | None = None,
) -> AuditEvent:
    """Record one change. ``before``/``after`` hold only the fields that changed (JSON-safe)."""
    return AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        subject_type=subject._meta.label,
        subject_id=str(subject.pk),
        account_id=account_id,
        before=_json_safe(before or {}),
        after=_json_safe(after or {}),
        reason=reason,
    )


def changed_fields(
    old: dict[str, Any], new: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (before, after) pair restricted to keys whose values differ."""
    keys = [k for k in new if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}


def _json_safe(values: dict[str, Any]) -> dict[str, Any]:
    safe: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or isinstance(value, str | int | bool | list | dict):
            safe[key] = value
        else:
            safe[key] = str(value)
    return safe
