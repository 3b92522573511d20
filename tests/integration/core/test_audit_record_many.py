"""``audit_record_many``: many audit rows in one bulk insert, the same rows ``audit_record``
writes one at a time (both databases: COPY on PostgreSQL, executemany on SQLite)."""

from datetime import UTC, date, datetime

import pytest
from django.db import transaction

from cistern.core.audit import AuditRow, audit_record, audit_record_many
from cistern.core.models import AuditEvent, CalendarDay
from cistern.staff.roles import Role
from tests.factories.staff import staff_user

pytestmark = pytest.mark.django_db

COMPARED = (
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "account_id",
    "before",
    "after",
    "reason",
)


def _columns(event: AuditEvent) -> tuple:
    return tuple(getattr(event, name) for name in COMPARED)


def test_bulk_rows_equal_the_rows_audit_record_writes() -> None:
    # Given a subject and the same change recorded both ways
    actor = staff_user(Role.FINANCE)
    subject = CalendarDay.objects.create(date="2030-03-04", kind="closure", name="X")
    change = dict(
        before={"city": "Old Town", "moved": date(2030, 3, 1)},
        after={"city": "Nueva Ciudad — “Norte”", "lines": [1, 2], "none": None},
        reason="Customer called",
        account_id=42,
    )
    one = audit_record(actor=actor, action="customer.update", subject=subject, **change)
    # When the bulk writer records it too
    written = audit_record_many(
        [AuditRow(actor.pk, "customer.update", subject._meta.label, str(subject.pk), **change)]
    )
    # Then both rows say the same, a date made text as audit_record makes it
    many = AuditEvent.objects.exclude(pk=one.pk).get()
    assert written == 1
    assert _columns(many) == _columns(AuditEvent.objects.get(pk=one.pk))
    assert many.before == {"city": "Old Town", "moved": "2030-03-01"}


def test_many_rows_go_in_with_their_times_and_empty_documents() -> None:
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    rows = [
        AuditRow(
            None, "ledger.entry.post", "ledger.JournalEntry", str(n), n or None, occurred_at=when
        )
        for n in range(7001)  # more than one executemany batch on SQLite
    ]
    assert audit_record_many(rows) == 7001
    events = AuditEvent.objects.filter(action="ledger.entry.post")
    assert events.count() == 7001
    first = events.get(subject_id="0")
    assert (first.occurred_at, first.account_id, first.before, first.after, first.reason) == (
        when, None, {}, {}, "",
    )  # fmt: skip
    assert events.get(subject_id="7000").account_id == 7000


def test_rows_without_a_time_are_stamped_now_and_nothing_is_written_for_none() -> None:
    assert audit_record_many([]) == 0
    before = datetime.now(UTC)
    audit_record_many([AuditRow(None, "x.y", "core.CalendarDay", "1")])
    assert AuditEvent.objects.get(action="x.y").occurred_at >= before.replace(microsecond=0)


def test_bulk_rows_roll_back_with_the_callers_transaction() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record_many([AuditRow(None, "x.rolled_back", "core.CalendarDay", "1")])
        raise RuntimeError("the service failed after writing its audit rows")
    assert not AuditEvent.objects.filter(action="x.rolled_back").exists()
