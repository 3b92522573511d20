"""Every cashiering route answers each role as the permission table says, with real objects
from ``makers.py`` (the samples the project-wide route walk can use too)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from cistern.staff.permissions import PERMISSIONS
from cistern.staff.roles import Role
from tests.factories.customers import customer_account
from tests.factories.staff import staff_user
from tests.integration.payments.makers import (
    sample_batch_item,
    sample_check_payment,
    sample_drawer,
    sample_return,
)

pytestmark = pytest.mark.django_db


def payment_routes() -> list[URLPattern]:
    resolver = next(
        r for r in get_resolver().url_patterns if getattr(r, "namespace", None) == "payments"
    )
    return list(resolver.url_patterns)


def samples() -> dict[str, object]:
    account = customer_account(last_name="Walker")
    payment = sample_check_payment(account)
    batch, item = sample_batch_item(account)
    return {
        "receipt_id": payment.receipt_id,
        "payment_id": item.pk,
        "drawer_id": sample_drawer().pk,
        "batch_id": batch.pk,
        "return_id": sample_return(account).pk,
        "report": "drawers",
    }


def test_each_role_gets_what_the_table_allows_on_every_cashiering_route() -> None:
    values = samples()
    wrong = []
    for pattern in payment_routes():
        action = pattern.callback.required_action
        kwargs = {p: values[p] for p in pattern.pattern.regex.groupindex}
        url = reverse(f"payments:{pattern.name}", kwargs=kwargs)
        for role in Role:
            client = Client(raise_request_exception=False)
            client.force_login(staff_user(role))
            status = client.get(url).status_code
            allowed = role in PERMISSIONS[action]
            if allowed and not (status < 400 or status == 405):
                wrong.append(f"{url} {role.label}: allowed but got {status}")
            if not allowed and status != 403:
                wrong.append(f"{url} {role.label}: refused by the table but got {status}")
    assert not wrong, "\n".join(wrong)
