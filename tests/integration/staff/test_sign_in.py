"""Sign-in, lockout after repeated failures, idle and absolute timeouts, sign-out by POST."""

import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cistern.staff.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from cistern.staff.roles import Role
from tests.factories.staff import PASSWORD, staff_user

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(
        reverse("staff:login"),
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.7",
    )


def test_the_sign_in_page_has_labelled_fields() -> None:
    page = Client().get(reverse("staff:login")).content.decode()
    assert '<label for="id_username">' in page and 'id="id_username"' in page
    assert '<label for="id_password">' in page and 'autocomplete="current-password"' in page


def test_a_csr_signs_in_and_lands_on_the_front_desk() -> None:
    staff_user(Role.CSR_I)
    client = Client()
    response = sign_in(client, "ana", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:workspace")
    assert client.session[SIGNED_IN_AT] == pytest.approx(time.time(), abs=5)


def test_a_wrong_password_says_so_and_signs_nobody_in() -> None:
    staff_user(Role.CSR_I)
    client = Client()
    response = sign_in(client, "ana", "not-the-password")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_wrong_passwords_pause_sign_in_and_say_when_to_try_again() -> None:
    staff_user(Role.CSR_I)
    client = Client()
    for _ in range(5):
        response = sign_in(client, "ana", "wrong")
    response = sign_in(client, "ana", PASSWORD)  # even the right password is refused now
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in is paused" in page
    assert "Try again in 15 minutes, after" in page
    assert "_auth_user_id" not in client.session


def test_a_session_idle_past_the_limit_is_signed_out(settings: Any) -> None:
    client = Client()
    client.force_login(staff_user(Role.CSR_I))
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT] = now - 60
    session[LAST_SEEN_AT] = now - settings.SESSION_IDLE_TIMEOUT_SECONDS - 1
    session.save()
    response = client.get(reverse("core:calendar"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))
    follow = client.get(response["Location"])
    assert "Your session timed out" in follow.content.decode()


def test_a_session_older_than_the_absolute_limit_is_signed_out_even_when_busy(
    settings: Any,
) -> None:
    client = Client()
    client.force_login(staff_user(Role.CSR_I))
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT] = now - settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS - 1
    session[LAST_SEEN_AT] = now - 5  # active a moment ago
    session.save()
    response = client.get(reverse("core:calendar"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))


def test_activity_keeps_an_idle_session_alive(settings: Any) -> None:
    client = Client()
    client.force_login(staff_user(Role.CSR_I))
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT] = now - 3600
    session[LAST_SEEN_AT] = now - settings.SESSION_IDLE_TIMEOUT_SECONDS + 30  # 30 s to spare
    session.save()
    assert client.get(reverse("core:calendar")).status_code == 200
    assert client.session[LAST_SEEN_AT] == pytest.approx(time.time(), abs=5)
    assert client.get(reverse("core:calendar")).status_code == 200


def test_sign_out_is_a_post_and_a_get_changes_nothing() -> None:
    client = Client()
    client.force_login(staff_user(Role.CSR_I))
    assert client.get(reverse("staff:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("staff:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:login")
    assert "_auth_user_id" not in client.session


def test_every_page_shows_a_sign_out_button() -> None:
    client = Client()
    client.force_login(staff_user(Role.CSR_I))
    page = client.get(reverse("core:calendar")).content.decode()
    assert f'action="{reverse("staff:logout")}"' in page
