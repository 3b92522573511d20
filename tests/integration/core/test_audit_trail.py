"""The audit trail: append-only in the database, filterable and exportable on screen."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cistern.core.audit import audit_record
from cistern.core.models import AuditEvent, CalendarDay
from cistern.staff.roles import Role
from tests.factories.staff import staff_user

pytestmark = pytest.mark.django_db


def an_event(**kwargs) -> AuditEvent:
    actor = kwargs.pop("actor", None) or staff_user(Role.CSR_II)
    subject = CalendarDay.objects.create(
        date=kwargs.pop("day", "2030-03-04"), kind="closure", name="X"
    )
    return audit_record(
        actor=actor,
        action=kwargs.pop("action", "customer.mailing_address.update"),
        subject=subject,
        before={"city": "Old Town"},
        after={"city": "New Town"},
        reason=kwargs.pop("reason", "Customer called"),
        **kwargs,
    )


@override_settings(CISTERN_AUDIT_SQLITE_ALLOW_DELETE=False)
def test_the_database_refuses_to_update_an_audit_event() -> None:
    event = an_event()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    event.refresh_from_db()
    assert event.reason == "Customer called"


@override_settings(CISTERN_AUDIT_SQLITE_ALLOW_DELETE=False)
def test_the_database_refuses_to_delete_an_audit_event() -> None:
    event = an_event()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_postgresql_has_the_append_only_trigger() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname = 'core_auditevent_append_only'")
        assert cursor.fetchone() is not None


def test_the_list_shows_who_when_what_before_after_and_why(client_for) -> None:
    an_event()
    page = client_for(Role.AUDITOR).get(reverse("core:audit")).content.decode()
    for text in (
        "Ben Okafor",
        "customer.mailing_address.update",
        "Old Town",
        "New Town",
        "Customer called",
    ):
        assert text in page


def test_filters_narrow_by_user_action_and_date(client_for) -> None:
    an_event(action="customer.mailing_address.update")
    an_event(action="staff.user.create", actor=staff_user(Role.ADMIN), day="2030-03-05")
    client = client_for(Role.AUDITOR)
    by_user = client.get(reverse("core:audit"), {"user": "ivan"}).content.decode()
    assert "<code>staff.user.create</code>" in by_user
    assert "<code>customer.mailing_address.update</code>" not in by_user
    by_action = client.get(reverse("core:audit"), {"action": "customer."}).content.decode()
    assert "<code>customer.mailing_address.update</code>" in by_action
    assert "<code>staff.user.create</code>" not in by_action
    tomorrow = (timezone.now() + timedelta(days=2)).date().isoformat()
    later = client.get(reverse("core:audit"), {"date_from": tomorrow}).content.decode()
    assert "No changes match" in later


def test_a_reversed_date_range_is_an_error_beside_the_field(client_for) -> None:
    response = client_for(Role.AUDITOR).get(
        reverse("core:audit"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_the_account_filter_finds_events_for_that_account(client_for) -> None:
    from datetime import date

    from cistern.customers.models import Account, Customer, Premise

    customer = Customer.objects.create(
        kind="person", last_name="Walker", display_name="Walker, Rita"
    )
    premise = Premise.objects.create(
        street_number="1",
        street_name="Elm St",
        city="X",
        postal_code="95000",
        premise_class="single_family",
    )
    account = Account.objects.create(
        number="10000016", customer=customer, premise=premise, start_date=date(2026, 1, 1)
    )
    an_event(account_id=account.pk, reason="On the account")
    an_event(reason="Elsewhere", day="2030-03-06")
    client = client_for(Role.CSR_SENIOR)
    page = client.get(reverse("core:audit"), {"account": "10000016"}).content.decode()
    assert "On the account" in page and "Elsewhere" not in page
    unknown = client.get(reverse("core:audit"), {"account": "99999999"})
    assert unknown.status_code == 200 and "No changes match" in unknown.content.decode()


def test_the_list_is_paginated(client_for) -> None:
    for i in range(55):
        an_event(day=f"2031-01-{(i % 28) + 1:02d}" if i < 28 else f"2031-02-{(i % 28) + 1:02d}")
    client = client_for(Role.AUDITOR)
    first = client.get(reverse("core:audit")).content.decode()
    assert "Page 1 of 2" in first
    second = client.get(reverse("core:audit"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in second


def test_a_users_page_shows_only_what_they_changed(client_for) -> None:
    ana = staff_user(Role.CSR_I)
    an_event(actor=ana, reason="Ana did this")
    an_event(reason="Ben did this", day="2030-03-07")
    page = client_for(Role.AUDITOR).get(reverse("core:audit_user", args=[ana.pk])).content.decode()
    assert "Ana did this" in page and "Ben did this" not in page


def test_the_csv_export_has_every_filtered_row_and_neutralizes_formulas(client_for) -> None:
    an_event(reason="=HYPERLINK(evil)")
    an_event(action="staff.user.create", day="2030-03-08")
    response = client_for(Role.AUDITOR).get(reverse("core:audit_export"), {"action": "customer."})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["occurred_at", "username", "name", "action"]
    assert len(rows) == 2
    assert rows[1][3] == "customer.mailing_address.update"
    assert rows[1][7] == "city: Old Town → New Town"
    assert rows[1][8] == "'=HYPERLINK(evil)"
