"""The reference ET table: seeded zone, ET for a period for every zone at once, the screen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent
from cistern.rates.et import et_for_period, et_zones
from cistern.rates.et_services import reference_et_set
from cistern.rates.models import ReferenceEt
from cistern.staff.roles import Role

pytestmark = pytest.mark.django_db

COAST = {m: Decimal(v) for m, v in enumerate(
    ["0.93", "1.40", "2.48", "3.30", "4.03", "4.50", "4.65", "4.34", "3.30", "2.48", "1.20",
     "0.62"], start=1)}  # fmt: skip


def _form(zone: str, inches: dict[int, Decimal], reason: str = "CIMIS zone map") -> dict:
    return {"zone": zone, "reason": reason, **{f"m{m}": str(v) for m, v in inches.items()}}


def test_one_zone_is_seeded_with_a_years_worth_of_believable_inches() -> None:
    rows = list(ReferenceEt.objects.filter(zone="14").values_list("month", "inches"))
    assert [m for m, _ in rows] == list(range(1, 13))
    assert sum(Decimal(v) for _, v in rows) == Decimal("57.04")
    assert max(rows, key=lambda r: r[1])[0] == 7  # July is the thirstiest month


def test_et_for_a_period_is_prorated_by_days_for_every_zone_in_one_query(
    django_assert_num_queries,
) -> None:
    reference_et_set(zone="Coast", inches_by_month=COAST, reason="test", actor=None)
    with django_assert_num_queries(1):
        found = et_for_period(first_day=date(2025, 3, 15), last_day=date(2025, 4, 14))
    # zone 14: 3.72 x 17/31 + 5.10 x 14/30 = 4.42; Coast: 2.48 x 17/31 + 3.30 x 14/30 = 2.90
    assert found == {"14": Decimal("4.42"), "Coast": Decimal("2.90")}
    only = et_for_period(first_day=date(2025, 7, 1), last_day=date(2025, 7, 31), zones=["Coast"])
    assert only == {"Coast": Decimal("4.65")}


def test_a_manager_adds_a_zone_on_the_screen_and_the_change_is_audited(client_for) -> None:
    response = client_for(Role.MANAGER).post(reverse("rates:et_edit"), _form("Coast", COAST))
    assert response.status_code == 302
    assert et_zones() == ["14", "Coast"]
    event = AuditEvent.objects.get(action="rates.et.set")
    assert event.after["zone"] == "Coast" and event.after["jul"] == "4.65"
    assert event.reason == "CIMIS zone map"
    table = client_for(Role.CSR_I).get(reverse("rates:et_table")).content.decode()
    assert "Coast" in table and "4.65" in table and "57.04" in table


def test_changing_one_month_audits_only_that_month() -> None:
    inches = {m: v for m, v in ReferenceEt.objects.filter(zone="14").values_list("month", "inches")}
    inches[8] = Decimal("7.90")
    reference_et_set(zone="14", inches_by_month=inches, reason="New normals", actor=None)
    event = AuditEvent.objects.get(action="rates.et.set")
    assert event.before == {"zone": "14", "aug": "7.75"}
    assert event.after == {"zone": "14", "aug": "7.90"}


def test_a_missing_or_impossible_month_is_refused_and_nothing_changes(client_for) -> None:
    bad = {**COAST, 7: Decimal("31")}
    response = client_for(Role.MANAGER).post(reverse("rates:et_edit"), _form("Coast", bad))
    assert response.status_code == 422
    assert not ReferenceEt.objects.filter(zone="Coast").exists()
    missing = {m: v for m, v in COAST.items() if m != 2}
    with pytest.raises(ServiceError, match="Enter the ET inches for February"):
        reference_et_set(zone="Coast", inches_by_month=missing, reason="x", actor=None)
    with pytest.raises(ServiceError, match="at most two decimals"):
        reference_et_set(
            zone="Coast", inches_by_month={**COAST, 3: "2.481"}, reason="x", actor=None
        )
    assert not ReferenceEt.objects.filter(zone="Coast").exists()
    assert not AuditEvent.objects.filter(action="rates.et.set").exists()


@pytest.mark.parametrize("role", [Role.CSR_SENIOR, Role.CSR_I, Role.AUDITOR])
def test_readers_see_the_et_table_but_may_not_edit_it(client_for, role) -> None:
    client = client_for(role)
    assert client.get(reverse("rates:et_table")).status_code == 200
    assert client.get(reverse("rates:et_edit")).status_code == 403


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE])
def test_a_manager_or_finance_opens_a_zone_with_its_months_filled_in(client_for, role) -> None:
    page = client_for(role).get(reverse("rates:et_edit"), {"zone": "14"}).content.decode()
    assert 'value="8.68"' in page and 'value="14"' in page
