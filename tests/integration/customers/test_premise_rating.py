"""Premise rating data: household, irrigated area, landscape factor, ET zone, sewer strength
and water-budget variance — edited on the account page, validated, audited, all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent
from cistern.customers.models import Premise
from cistern.customers.services import premise_rating_update
from cistern.customers.services.premises import (
    PREMISE_LANDSCAPE_FACTOR_INVALID,
    PREMISE_VARIANCE_NOT_ALLOWED,
    PREMISE_VARIANCE_REASON_MISSING,
)
from cistern.rates.services import rate_schedule_create, rate_version_create
from cistern.staff.roles import Role
from tests.factories.customers import account_for_maria
from tests.factories.staff import staff_user

pytestmark = pytest.mark.django_db

STRENGTH_SEWER = {
    "effective_from": "2024-01-01",
    "components": [
        {"kind": "sewer", "code": "sewer", "label": "Sewer", "unit": "ccf",
         "prices_by_strength": {"": "4.10", "low": "4.10", "high": "7.85"}},
    ],
}  # fmt: skip


@pytest.fixture
def maria():
    return account_for_maria()


def _edit_url(account) -> str:
    return reverse("customers:premise_rating_edit", kwargs={"number": account.number})


def _form(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "household_size": 4, "irrigated_area_sqft": 1500, "landscape_factor": "",
        "et_zone": "14", "strength_class": "", "budget_variance_ccf": "0", "reason": "",
    }  # fmt: skip
    values.update(changes)
    return values


def _rating(premise_id: int) -> tuple[object, ...]:
    p = Premise.objects.get(pk=premise_id)
    return (p.household_size, p.irrigated_area_sqft, p.landscape_factor, p.et_zone,
            p.strength_class, p.budget_variance_ccf)  # fmt: skip


def _update(premise_id: int, actor, **changes: object) -> Premise:
    values: dict[str, object] = {
        "household_size": 3, "irrigated_area_sqft": 800, "landscape_factor": None,
        "et_zone": "14", "strength_class": "", "budget_variance_ccf": Decimal(0), "reason": "",
    }  # fmt: skip
    values.update(changes)
    return premise_rating_update(premise_id=premise_id, actor=actor, **values)  # type: ignore[arg-type]


def test_a_csr_two_saves_the_household_and_landscape_and_the_change_is_audited(
    client_for, maria
) -> None:
    response = client_for(Role.CSR_II).post(
        _edit_url(maria), _form(landscape_factor="0.80", reason="Customer called")
    )
    assert response.status_code == 302
    assert _rating(maria.premise_id) == (4, 1500, Decimal("0.80"), "14", "", Decimal(0))
    event = AuditEvent.objects.get(action="premise.rating.update")
    assert event.account_id == maria.pk
    assert event.before == {"household_size": 0, "irrigated_area_sqft": 0,
                            "landscape_factor": None, "et_zone": ""}  # fmt: skip
    assert event.after == {"household_size": 4, "irrigated_area_sqft": 1500,
                           "landscape_factor": "0.80", "et_zone": "14"}  # fmt: skip
    page = client_for(Role.CSR_I).get(reverse("customers:account", args=[maria.number]))
    body = page.content.decode()
    assert "4 persons" in body and "1500 sq ft" in body and "ET zone 14" in body


def test_a_landscape_factor_out_of_range_is_refused_beside_its_field_and_nothing_is_saved(
    client_for, maria
) -> None:
    before = _rating(maria.premise_id)
    response = client_for(Role.CSR_II).post(_edit_url(maria), _form(landscape_factor="2.5"))
    assert response.status_code == 422
    assert "Ensure this value is less than or equal to 1.5" in response.content.decode()
    assert _rating(maria.premise_id) == before
    assert not AuditEvent.objects.filter(action="premise.rating.update").exists()


def test_the_service_refuses_a_bad_landscape_factor_with_its_own_message(maria) -> None:
    with pytest.raises(ServiceError) as refused:
        _update(maria.premise_id, staff_user(Role.CSR_II), landscape_factor="0.755")
    assert refused.value.message == str(PREMISE_LANDSCAPE_FACTOR_INVALID)
    assert refused.value.field == "landscape_factor"


def test_an_unknown_et_zone_is_refused_with_the_zones_there_are_and_nothing_changes(
    maria,
) -> None:
    _update(maria.premise_id, staff_user(Role.CSR_II), household_size=2)
    with pytest.raises(ServiceError) as refused:
        _update(maria.premise_id, staff_user(Role.CSR_II), household_size=5, et_zone="Zone 99")
    assert "“Zone 99” is not in the reference ET table; choose one of: 14" in refused.value.message
    assert _rating(maria.premise_id)[0] == 2  # the valid household size was not half-saved


def test_a_strength_class_must_be_one_a_sewer_schedule_prices(maria) -> None:
    manager = staff_user(Role.MANAGER)
    with pytest.raises(ServiceError, match="has no price in any sewer schedule"):
        _update(maria.premise_id, manager, strength_class="high")
    sewer = rate_schedule_create(
        name="Commercial sewer", service="sewer", classes=[], actor=manager
    )
    rate_version_create(schedule=sewer, document=STRENGTH_SEWER, actor=manager)
    _update(maria.premise_id, manager, strength_class="high")
    assert _rating(maria.premise_id)[4] == "high"


def test_only_an_approver_may_change_the_variance_and_only_with_a_reason(maria) -> None:
    with pytest.raises(ServiceError) as refused:
        _update(maria.premise_id, staff_user(Role.CSR_II), budget_variance_ccf="4")
    assert refused.value.message == str(PREMISE_VARIANCE_NOT_ALLOWED)
    with pytest.raises(ServiceError) as refused:
        _update(maria.premise_id, staff_user(Role.CSR_SENIOR), budget_variance_ccf="4")
    assert refused.value.message == str(PREMISE_VARIANCE_REASON_MISSING)
    assert _rating(maria.premise_id)[5] == Decimal(0)
    _update(
        maria.premise_id, staff_user(Role.CSR_SENIOR), budget_variance_ccf="4.50",
        reason="Medical certification on file (home dialysis)",
    )  # fmt: skip
    assert _rating(maria.premise_id)[5] == Decimal("4.50")
    event = AuditEvent.objects.get(
        action="premise.rating.update", after__has_key="budget_variance_ccf"
    )
    assert event.reason == "Medical certification on file (home dialysis)"
    assert event.after["budget_variance_ccf"] == "4.50"


def test_saving_the_same_values_again_records_nothing(maria) -> None:
    actor = staff_user(Role.CSR_II)
    _update(maria.premise_id, actor, landscape_factor="0.7")
    _update(maria.premise_id, actor, landscape_factor=Decimal("0.70"))
    assert AuditEvent.objects.filter(action="premise.rating.update").count() == 1


def test_a_csr_two_sees_the_variance_read_only_and_cannot_change_it_by_posting(
    client_for, maria
) -> None:
    client = client_for(Role.CSR_II)
    page = client.get(_edit_url(maria)).content.decode()
    assert "Only a CSR Senior or the Manager may approve a variance." in page
    client.post(_edit_url(maria), _form(budget_variance_ccf="9", reason="trying"))
    assert _rating(maria.premise_id)[5] == Decimal(0)


def test_a_variance_without_a_reason_comes_back_beside_the_reason_field(client_for, maria) -> None:
    response = client_for(Role.MANAGER).post(_edit_url(maria), _form(budget_variance_ccf="3"))
    assert response.status_code == 422
    assert "Say why the variance was approved" in response.content.decode()
    assert _rating(maria.premise_id) == (0, 0, None, "", "", Decimal(0))


@pytest.mark.parametrize("role", [Role.CSR_I, Role.AUDITOR, Role.FIELD])
def test_roles_below_csr_two_may_not_edit_a_premise(client_for, maria, role) -> None:
    assert client_for(role).get(_edit_url(maria)).status_code == 403
    body = client_for(role).get(reverse("customers:account", args=[maria.number])).content
    assert b"Edit premise rating data" not in body
