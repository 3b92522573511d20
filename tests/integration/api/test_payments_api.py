"""The JSON API: API keys, idempotent payments (replay = first response), balances, OpenAPI."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from cistern.api.keys import api_key_create, api_key_deactivate
from cistern.api.models import ApiKey
from cistern.ledger.chart_services import ledger_chart_seed
from cistern.ledger.selectors import account_balance_cents
from cistern.payments.models import Payment
from tests.integration.payments.conftest import assert_ledger_sound, charge

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments"


@pytest.fixture
def key(db: None) -> str:
    ledger_chart_seed()
    return api_key_create(name="IVR")[1]


@pytest.fixture
def account(db: None):
    from tests.factories.customers import customer_account

    account = customer_account(last_name="Ames")
    charge(account, 9000)
    return account


def body(account, **overrides) -> dict:
    return {
        "account_number": account.number, "amount_cents": 4000, "channel": "ivr",
        "tender": "card", "processor_reference": "sbx_ch_1", "card_brand": "visa",
        "card_last4": "4242", "auth_code": "A1B2C3", **overrides,
    }  # fmt: skip


def post(key: str, data: dict, idem: str | None = "idem-1"):
    headers = {"HTTP_X_API_KEY": key}
    if idem is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = idem
    return Client().post(URL, data=json.dumps(data), content_type="application/json", **headers)


def test_a_payment_posts_and_returns_201(key, account) -> None:
    response = post(key, body(account))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["amount_cents"] == 4000 and data["status"] == "posted"
    assert account_balance_cents(account_id=account.pk) == 5000
    payment = Payment.objects.get()
    assert payment.card_last4 == "4242" and payment.channel == "ivr"
    assert_ledger_sound()


def test_a_replay_returns_the_first_response_and_posts_nothing_more(key, account) -> None:
    first = post(key, body(account))
    again = post(key, body(account))
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert Payment.objects.count() == 1
    assert account_balance_cents(account_id=account.pk) == 5000


def test_the_same_key_with_different_content_is_refused(key, account) -> None:
    post(key, body(account))
    response = post(key, body(account, amount_cents=4001))
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Payment.objects.count() == 1


def test_a_refusal_is_replayed_too(key, account) -> None:
    first = post(key, body(account, account_number="00000000"))
    again = post(key, body(account, account_number="00000000"))
    assert first.status_code == again.status_code == 422
    assert first.json() == again.json()
    assert first.json()["field"] == "account_number"


def test_a_payment_without_an_idempotency_key_is_refused(key, account) -> None:
    response = post(key, body(account), idem=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]
    assert not Payment.objects.exists()


def test_keys_are_per_api_key_so_two_integrations_do_not_collide(key, account) -> None:
    other = api_key_create(name="Web")[1]
    assert post(key, body(account)).status_code == 201
    assert post(other, body(account)).status_code == 201
    assert Payment.objects.count() == 2


def test_a_missing_wrong_or_inactive_api_key_gets_401(key, account) -> None:
    assert post("nope", body(account)).status_code == 401
    response = Client().post(URL, data="{}", content_type="application/json")
    assert response.status_code == 401
    api_key_deactivate(key_id=ApiKey.objects.get(name="IVR").pk)
    assert post(key, body(account)).status_code == 401


def test_a_card_number_is_not_accepted_as_last_four(key, account) -> None:
    response = post(key, body(account, card_last4="4242424242424242"))
    assert response.status_code == 422
    assert not Payment.objects.exists()


def test_the_balance_endpoint_reports_what_is_owed(key, account) -> None:
    response = Client().get(f"/api/v1/accounts/{account.number}/balance", HTTP_X_API_KEY=key)
    assert response.status_code == 200
    data = response.json()
    assert data["balance_cents"] == 9000 and data["amount_due_cents"] == 9000
    assert data["scan_line"].startswith(account.number)
    missing = Client().get("/api/v1/accounts/99999999/balance", HTTP_X_API_KEY=key)
    assert missing.status_code == 404


def test_the_openapi_document_describes_the_payment_endpoint(db) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert "/api/v1/payments" in spec["paths"]
    assert "/api/v1/accounts/{number}/balance" in spec["paths"]


def test_the_command_creates_a_key_and_stores_only_its_hash(db) -> None:
    out = StringIO()
    call_command("api_key_create", "Lockbox bank", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    stored = ApiKey.objects.get(name="Lockbox bank")
    assert raw.startswith("cst_") and raw not in (stored.key_sha256, stored.prefix)
