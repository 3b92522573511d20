"""The audit trail's one writer.

Every service that changes customer, account, bank or ledger data calls ``audit_record``
inside its transaction, so the change and its audit row commit or roll back together.
A service that changes thousands of records at once (a bulk ledger post, a lockbox file)
builds its rows as ``AuditRow`` and writes them with ``audit_record_many``: one ``COPY``
on PostgreSQL, ``executemany`` elsewhere, in the caller's transaction, the same columns
and values ``audit_record`` would write row by row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection, models
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


class AuditRow(NamedTuple):
    """One audit event for ``audit_record_many``: what ``audit_record`` takes, with the
    subject as its label (``"ledger.JournalEntry"``) and primary key, and the actor as an id.
    ``occurred_at`` None means now (one timestamp for the whole call). ``after`` may also be
    given as the JSON text ``audit_record`` would store for it (a caller that renders many
    documents from a template), written as it is."""

    actor_id: int | None
    action: str
    subject_type: str
    subject_id: str
    account_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | str | None = None
    reason: str = ""
    occurred_at: datetime | None = None


_COLUMNS = (
    "occurred_at",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "account_id",
    "before",
    "after",
    "reason",
)
EXECUTEMANY_ROWS = 5000


def audit_record_many(rows: Iterable[AuditRow]) -> int:
    """Record many changes in one bulk insert (inside the caller's transaction).

    Returns how many rows were written. ``before``/``after`` are made JSON-safe and stored
    exactly as ``audit_record`` stores them (JSON text as Django's ``JSONField`` writes it).
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    prepared = _prepared_rows(rows)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
        batch: list[tuple[Any, ...]] = []
        for row in prepared:
            batch.append(row)
            if len(batch) >= EXECUTEMANY_ROWS:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _prepared_rows(rows: Iterable[AuditRow]) -> Iterator[tuple[Any, ...]]:
    """The rows as the database driver takes them: datetimes adapted once each, JSON text."""
    field = AuditEvent._meta.get_field("occurred_at")
    assert isinstance(field, models.DateTimeField)
    now = timezone.now()
    adapted: dict[datetime, Any] = {}
    for row in rows:
        when = row.occurred_at or now
        if when not in adapted:
            adapted[when] = field.get_db_prep_save(when, connection)
        yield (
            adapted[when],
            row.actor_id,
            row.action,
            row.subject_type,
            row.subject_id,
            row.account_id,
            _json_text(row.before),
            _json_text(row.after),
            row.reason,
        )


def _json_text(values: dict[str, Any] | str | None) -> str:
    """What ``JSONField`` stores for ``_json_safe(values or {})`` (text: already that)."""
    if isinstance(values, str):
        return values
    return json.dumps(_json_safe(values)) if values else "{}"


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
