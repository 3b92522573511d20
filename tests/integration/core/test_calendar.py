"""The business calendar: seeded California holidays, closures, and business-day helpers."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from cistern.core import calendar as cal
from cistern.core import services
from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent, CalendarDay, DistrictSettings
from cistern.staff.roles import Role
from tests.factories.staff import staff_user

pytestmark = pytest.mark.django_db


def test_the_migration_seeded_this_year_and_the_next_two() -> None:
    this_year = datetime.now(ZoneInfo("America/Los_Angeles")).year
    for year in range(this_year, this_year + 3):
        names = set(CalendarDay.objects.filter(date__year=year).values_list("name", flat=True))
        assert "Independence Day" in names and "Thanksgiving Day" in names, year


def test_seeding_twice_adds_nothing_the_second_time() -> None:
    first = services.calendar_seed_holidays(years=[2040], actor=None)
    assert any(day.date == date(2040, 7, 4) for day in first)
    assert services.calendar_seed_holidays(years=[2040], actor=None) == []
    assert AuditEvent.objects.filter(action="calendar.day.add").count() == len(first)


def test_a_removed_holiday_is_not_seeded_again() -> None:
    services.calendar_seed_holidays(years=[2041], actor=None)
    chavez = CalendarDay.objects.get(date__year=2041, name="Cesar Chavez Day")
    services.calendar_day_remove(
        actor=staff_user(Role.ADMIN), day=chavez.date, reason="Office stays open"
    )
    services.calendar_seed_holidays(years=[2041], actor=None)
    assert not CalendarDay.objects.filter(date=chavez.date).exists()


def test_a_furlough_day_is_added_with_audit_and_closes_the_office() -> None:
    day = date(2042, 3, 13)  # a Thursday
    assert cal.is_business_day(day=day)
    services.calendar_day_add(
        actor=staff_user(Role.MANAGER), day=day, kind="furlough", name="Furlough"
    )
    assert not cal.is_business_day(day=day)
    assert AuditEvent.objects.filter(action="calendar.day.add", after__date="2042-03-13").exists()


@pytest.mark.parametrize(
    ("day", "kind", "name", "field"),
    [
        (date(2042, 3, 15), "closure", "Sunday?", "date"),
        (date(2042, 3, 13), "holiday", "Made up", "kind"),
        (date(2042, 3, 13), "closure", " ", "name"),
    ],
)
def test_bad_closures_are_refused(day: date, kind: str, name: str, field: str) -> None:
    with pytest.raises(ServiceError) as refused:
        services.calendar_day_add(actor=None, day=day, kind=kind, name=name)
    assert refused.value.field == field
    assert not CalendarDay.objects.filter(date=day).exists()


def test_a_day_already_closed_cannot_be_added_twice() -> None:
    services.calendar_seed_holidays(years=[2043], actor=None)
    with pytest.raises(ServiceError, match="already closed"):
        services.calendar_day_add(actor=None, day=date(2043, 7, 3), kind="closure", name="Again")


def test_business_days_add_reads_holidays_from_the_database() -> None:
    services.calendar_seed_holidays(years=[2044], actor=None)
    # Memorial Day 2044 is Monday May 30: Friday May 27 + 1 business day is Tuesday May 31.
    assert cal.business_days_add(start=date(2044, 5, 27), count=1) == date(2044, 5, 31)
    assert cal.business_days_add(start=date(2044, 5, 31), count=-1) == date(2044, 5, 27)


def test_business_days_add_looks_past_a_long_run_of_closures() -> None:
    actor = staff_user(Role.ADMIN)
    for offset in range(6, 50):
        day = date(2045, 1, 1).fromordinal(date(2045, 1, 1).toordinal() + offset)
        if day.weekday() < 5:
            services.calendar_day_add(actor=actor, day=day, kind="closure", name="Flood")
    assert cal.business_days_add(start=date(2045, 1, 6), count=3) == date(2045, 2, 22)


def test_district_today_uses_the_districts_time_zone(settings) -> None:
    DistrictSettings.objects.update_or_create(pk=1, defaults={"time_zone": "Pacific/Kiritimati"})
    kiritimati = datetime.now(ZoneInfo("Pacific/Kiritimati"))
    assert cal.district_today() == kiritimati.date()
    assert cal.district_now().utcoffset() == kiritimati.utcoffset()


def test_the_calendar_pages_add_and_reopen_a_day(client_for) -> None:
    client = client_for(Role.MANAGER)
    response = client.post(
        reverse("core:calendar_add"),
        {"date": "2042-06-05", "kind": "closure", "name": "Staff training"},
    )
    assert response.status_code == 302
    page = client.get(reverse("core:calendar"), {"year": 2042}).content.decode()
    assert "Staff training" in page
    response = client.post(
        reverse("core:calendar_remove", args=["2042-06-05"]), {"reason": "Training moved"}
    )
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date=date(2042, 6, 5)).exists()


def test_a_bad_closure_form_shows_the_error_beside_the_field(client_for) -> None:
    response = client_for(Role.ADMIN).post(
        reverse("core:calendar_add"), {"date": "2042-06-07", "kind": "closure", "name": "Saturday"}
    )
    assert response.status_code == 200
    assert "weekend day" in response.content.decode()


def test_a_csr_sees_the_calendar_without_edit_buttons(client_for) -> None:
    page = client_for(Role.CSR_I).get(reverse("core:calendar")).content.decode()
    assert reverse("core:calendar_add") not in page
