"""Administrators add staff users, change roles and deactivate them; all audited, none deleted."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent
from cistern.staff import services
from cistern.staff.models import User
from cistern.staff.roles import Role
from tests.factories.staff import staff_user

pytestmark = pytest.mark.django_db


def can_sign_in(username: str, password: str) -> bool:
    request = RequestFactory().post("/staff/login/", REMOTE_ADDR="10.0.0.9")
    return Client().login(request=request, username=username, password=password)


def test_an_administrator_adds_a_user_who_can_then_sign_in() -> None:
    admin = staff_user(Role.ADMIN)
    user = services.staff_user_create(
        actor=admin,
        username="zoe",
        full_name="Zoe Park",
        role=Role.CSR_II,
        password="long-enough-pw-42",
    )
    assert user.role == Role.CSR_II and user.is_active
    assert can_sign_in("zoe", "long-enough-pw-42")
    event = AuditEvent.objects.get(action="staff.user.create")
    assert event.actor == admin and event.after["role"] == "csr2"


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"username": "ana"}, "username", services.USERNAME_TAKEN),
        ({"username": "ANA"}, "username", services.USERNAME_TAKEN),
        ({"username": "  "}, "username", services.USERNAME_REQUIRED),
        ({"role": "boss"}, "role", services.ROLE_UNKNOWN),
        ({"password": "short"}, "password", None),
        ({"password": "password123"}, "password", None),
    ],
)
def test_a_bad_new_user_is_refused_and_nothing_is_saved(
    kwargs: dict, field: str, message: str | None
) -> None:
    admin = staff_user(Role.ADMIN)
    staff_user(Role.CSR_I)
    before = User.objects.count()
    args = {
        "username": "newbie",
        "full_name": "New Bie",
        "role": Role.CSR_I,
        "password": "long-enough-pw-42",
    } | kwargs
    with pytest.raises(ServiceError) as refused:
        services.staff_user_create(actor=admin, **args)
    assert refused.value.field == field
    if message:
        assert refused.value.message == message
    assert User.objects.count() == before
    assert not AuditEvent.objects.filter(action="staff.user.create").exists()


def test_a_role_change_is_audited_with_its_reason() -> None:
    admin, ana = staff_user(Role.ADMIN), staff_user(Role.CSR_I)
    services.staff_user_role_change(
        actor=admin, user_id=ana.pk, role=Role.CSR_II, reason="Promoted"
    )
    ana.refresh_from_db()
    assert ana.role == Role.CSR_II
    event = AuditEvent.objects.get(action="staff.user.role_change")
    assert (event.before, event.after, event.reason) == (
        {"role": "csr1"},
        {"role": "csr2"},
        "Promoted",
    )


def test_an_administrator_cannot_change_their_own_role_or_deactivate_themselves() -> None:
    admin = staff_user(Role.ADMIN)
    with pytest.raises(ServiceError, match="your own"):
        services.staff_user_role_change(actor=admin, user_id=admin.pk, role=Role.CSR_I, reason="x")
    with pytest.raises(ServiceError, match="your own"):
        services.staff_user_deactivate(actor=admin, user_id=admin.pk, reason="x")
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN and admin.is_active


def test_a_deactivated_user_cannot_sign_in_and_is_kept() -> None:
    admin, ana = staff_user(Role.ADMIN), staff_user(Role.CSR_I)
    services.staff_user_deactivate(actor=admin, user_id=ana.pk, reason="Left the district")
    assert User.objects.filter(pk=ana.pk, is_active=False).exists()
    assert not can_sign_in("ana", "cistern-demo-password")
    with pytest.raises(ServiceError, match="already deactivated"):
        services.staff_user_deactivate(actor=admin, user_id=ana.pk, reason="again")
    services.staff_user_reactivate(actor=admin, user_id=ana.pk, reason="Came back")
    assert can_sign_in("ana", "cistern-demo-password")
    assert list(
        AuditEvent.objects.filter(subject_id=str(ana.pk)).values_list("action", flat=True)
    ) == [
        "staff.user.reactivate",
        "staff.user.deactivate",
    ]


def test_the_user_pages_create_change_and_deactivate(client_for) -> None:
    client = client_for(Role.ADMIN)
    response = client.post(
        reverse("staff:user_create"),
        {
            "username": "zoe",
            "full_name": "Zoe Park",
            "email": "",
            "role": "csr1",
            "password": "long-enough-pw-42",
        },
    )
    zoe = User.objects.get(username="zoe")
    assert response["Location"] == reverse("staff:user_detail", args=[zoe.pk])
    response = client.post(
        reverse("staff:user_detail", args=[zoe.pk]), {"role": "csr3", "reason": "Moved up"}
    )
    assert response.status_code == 302
    response = client.post(reverse("staff:user_deactivate", args=[zoe.pk]), {"reason": "Left"})
    zoe.refresh_from_db()
    assert (zoe.role, zoe.is_active) == (Role.CSR_III, False)
    listing = client.get(reverse("staff:users")).content.decode()
    assert "zoe" in listing and "Deactivated" in listing


def test_a_bad_form_shows_the_error_beside_the_field(client_for) -> None:
    client = client_for(Role.ADMIN)
    staff_user(Role.CSR_I)
    response = client.post(
        reverse("staff:user_create"),
        {
            "username": "ana",
            "full_name": "Other Ana",
            "role": "csr1",
            "password": "long-enough-pw-42",
        },
    )
    assert response.status_code == 200
    assert services.USERNAME_TAKEN in response.content.decode()
    assert User.objects.filter(username="ana").count() == 1
