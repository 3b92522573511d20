"""No card number reaches Cistern's database or logs (reference/payments.md "Cards — keep card
data out"), checked on a whole web payment: approved, declined and mistyped numbers.

Given every SQL statement logged (``force_debug_cursor``) and every logger at DEBUG, when a
customer pays on the sandbox's hosted page, then no statement, no log line and no stored
value of any table contains a card number typed on the page.
"""

from __future__ import annotations

import json
import logging

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from cistern.api.keys import api_key_create
from cistern.payments.models import Payment

pytestmark = pytest.mark.django_db
APPROVED = "4242424242424242"
DECLINED = "4000000000000002"
MISTYPED = "4242424242424241"
NUMBERS = (APPROVED, DECLINED, MISTYPED)


def _every_stored_value() -> str:
    chunks = []
    for model in apps.get_models():
        for row in model.objects.all().values():
            chunks.append(json.dumps(row, default=str))
    return "\n".join(chunks)


def test_no_card_number_is_stored_or_logged(maria, caplog) -> None:
    key = api_key_create(name="Web payments")[1]
    caplog.set_level(logging.DEBUG)
    for name in ("django", "django.db.backends", "django.request", "cistern"):
        caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True
    try:
        start = Client().post(
            "/api/v1/hosted-payments", content_type="application/json",
            data=json.dumps({"account_number": maria.number, "amount_cents": 2500,
                             "return_url": "https://pay.example.org/done"}),
            HTTP_X_API_KEY=key, HTTP_IDEMPOTENCY_KEY="no-card-data",
        )  # fmt: skip
        path = "/" + start.json()["redirect_url"].split("/", 3)[3]
        for number in (MISTYPED, DECLINED, APPROVED):
            Client().post(path, {"card_number": number, "expiry": "12/39", "cvc": "123"})
    finally:
        connection.force_debug_cursor = False

    assert Payment.objects.get().card_last4 == "4242"  # the flow really ran
    sql = [r for r in caplog.records if r.name == "django.db.backends"]
    assert len(sql) > 20  # statements were logged, so the check below means something
    logged = "\n".join(r.getMessage() for r in caplog.records)
    stored = _every_stored_value()
    for number in NUMBERS:
        assert number not in logged
        assert number not in stored
        assert number[:12] not in stored  # nor a long prefix of one
