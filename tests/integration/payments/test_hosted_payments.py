"""Web card payments through the sandbox processor's hosted page, end to end.

The cast: Maria owes $120.00. The web payment site (an integration with an API key) starts a
hosted payment for her; her browser goes to the sandbox's card page; the sandbox notifies
Cistern with a signed message; Cistern posts the payment once; her browser comes back.
"""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from cistern.api.keys import api_key_create
from cistern.core.models import AuditEvent
from cistern.payments import hosted_sandbox
from cistern.payments.hosted_models import HostedPayment
from cistern.payments.hosted_services import HostedPaymentRequest, hosted_payment_start
from cistern.payments.models import Payment
from cistern.payments.processors import CardResult
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.payments.conftest import assert_ledger_sound, balance

pytestmark = pytest.mark.django_db
START = "/api/v1/hosted-payments"
NOTIFY = "/api/v1/card-processor/notifications"
RETURN = "https://pay.example.org/done?from=portal"
VISA = "4242 4242 4242 4242"


@pytest.fixture
def key(db: None) -> str:
    return api_key_create(name="Web payments")[1]


def start(key: str, account, amount: int = 4500, idem: str = "web-1", **extra) -> dict:
    body = {"account_number": account.number, "amount_cents": amount, "return_url": RETURN}
    response = Client().post(
        START, data=json.dumps({**body, **extra}), content_type="application/json",
        HTTP_X_API_KEY=key, HTTP_IDEMPOTENCY_KEY=idem,
    )  # fmt: skip
    return {"status": response.status_code, **response.json()}


def card_page_post(redirect_url: str, number: str = VISA, **extra):
    path = urlsplit(redirect_url).path
    data = {"card_number": number, "expiry": "12/39", "cvc": "123", "name": "Maria", **extra}
    return Client().post(path, data)


def status(key: str, session_id: str) -> dict:
    return Client().get(f"{START}/{session_id}", HTTP_X_API_KEY=key).json()


def signed(session_id: str, result: CardResult, *, at=None, secret=None) -> tuple[bytes, dict]:
    at = at or timezone.now()
    body = hosted_sandbox.notification_body(session_id=session_id, result=result, sent_at=at)
    return body, hosted_sandbox.notification_sign(body, at=at, secret=secret)


def notify(body: bytes, headers: dict):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return Client().post(NOTIFY, data=body, content_type="application/json", **extra)


def approved(amount: int, reference: str = "sbx_ch_test1") -> CardResult:
    return CardResult(True, amount, reference, "visa", "4242", "AB12CD")


def test_an_approved_card_posts_one_web_payment_and_returns_the_customer(key, maria) -> None:
    session = start(key, maria)
    assert session["status"] == 201 and session["state"] == "pending"
    assert session["redirect_url"].startswith("http://testserver/sandbox-processor/pay/")

    page = Client().get(urlsplit(session["redirect_url"]).path)
    assert page.status_code == 200 and "$45.00" in page.content.decode()
    response = card_page_post(session["redirect_url"])

    assert response.status_code == 302
    back = urlsplit(response["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == "https://pay.example.org/done"
    query = parse_qs(back.query)
    assert query["outcome"] == ["approved"] and query["from"] == ["portal"]
    assert query["session_id"] == [session["session_id"]]
    payment = Payment.objects.get()
    assert (payment.channel, payment.tender, payment.amount_cents) == ("web", "card", 4500)
    assert (payment.card_brand, payment.card_last4) == ("visa", "4242")
    assert payment.processor_reference.startswith("sbx_ch_") and payment.auth_code
    assert balance(maria) == 12000 - 4500
    after = status(key, session["session_id"])
    assert after["state"] == "paid" and after["payment_id"] == payment.pk
    assert after["card_last4"] == "4242"
    assert AuditEvent.objects.filter(action="payments.hosted.paid").count() == 1
    assert_ledger_sound()


def test_a_declined_card_records_nothing_in_the_ledger_and_lets_the_customer_retry(
    key, maria
) -> None:
    session = start(key, maria)
    response = card_page_post(session["redirect_url"], "4000 0000 0000 9995")

    assert response.status_code == 200
    assert "Insufficient funds" in response.content.decode()
    assert not Payment.objects.exists() and balance(maria) == 12000
    after = status(key, session["session_id"])
    assert after["state"] == "pending" and after["declines"] == 1

    retry = card_page_post(session["redirect_url"], "5555555555554444")
    assert retry.status_code == 302 and Payment.objects.get().card_brand == "mastercard"
    assert balance(maria) == 7500


def test_a_card_number_that_fails_the_check_digit_is_refused_on_the_page_and_sends_nothing(
    key, maria
) -> None:
    session = start(key, maria)
    response = card_page_post(session["redirect_url"], "4242 4242 4242 4241")
    assert response.status_code == 200
    assert "not a valid card number" in response.content.decode()
    assert "4242424242424241" not in response.content.decode()
    assert status(key, session["session_id"])["declines"] == 0


def test_a_notification_with_a_bad_signature_is_refused_and_posts_nothing(key, maria) -> None:
    session = start(key, maria)
    body, headers = signed(session["session_id"], approved(4500), secret="not-the-secret")
    forged = notify(body, headers)
    good_body, good_headers = signed(session["session_id"], approved(4500))
    altered = notify(good_body.replace(b"4500", b"4501"), good_headers)
    unsigned = notify(good_body, {})

    assert (forged.status_code, altered.status_code, unsigned.status_code) == (400, 400, 400)
    assert forged.json()["code"] == "refused"
    assert not Payment.objects.exists() and balance(maria) == 12000


def test_a_replayed_notification_posts_once_and_an_old_one_is_refused(key, maria) -> None:
    session = start(key, maria)
    body, headers = signed(session["session_id"], approved(4500))

    first, again = notify(body, headers), notify(body, headers)
    old_body, old_headers = signed(
        session["session_id"], approved(4500), at=timezone.now() - timedelta(minutes=10)
    )
    stale = notify(old_body, old_headers)

    assert first.json()["status"] == "paid" and again.json()["status"] == "duplicate"
    assert again.status_code == 200 and stale.status_code == 400
    assert "replay" in stale.json()["error"]
    assert Payment.objects.count() == 1 and balance(maria) == 7500


def test_a_double_submitted_card_page_charges_and_posts_once(key, maria) -> None:
    session = start(key, maria)
    first = card_page_post(session["redirect_url"])
    second = card_page_post(session["redirect_url"])

    assert first.status_code == second.status_code == 302
    assert Payment.objects.count() == 1 and balance(maria) == 7500


def test_the_amount_cannot_be_changed_on_the_page_or_in_its_address(key, maria) -> None:
    session = start(key, maria)
    path = urlsplit(session["redirect_url"]).path
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = path.replace(token, token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB"))

    assert Client().get(tampered).status_code == 404
    card_page_post(session["redirect_url"], amount_cents="1")
    assert Payment.objects.get().amount_cents == 4500


def test_a_signed_charge_for_another_amount_is_refunded_and_posts_nothing(key, maria) -> None:
    session = start(key, maria)
    response = notify(*signed(session["session_id"], approved(100)))

    assert response.status_code == 200 and response.json()["status"] == "refunded"
    assert not Payment.objects.exists() and balance(maria) == 12000
    event = AuditEvent.objects.get(action="payments.hosted.amount_mismatch_refunded")
    assert event.after["charged_cents"] == 100 and event.after["refund_approved"] is True
    assert status(key, session["session_id"])["state"] == "pending"


def test_a_second_charge_on_a_paid_session_is_refunded(key, maria) -> None:
    session = start(key, maria)
    notify(*signed(session["session_id"], approved(4500, "sbx_ch_first")))
    response = notify(*signed(session["session_id"], approved(4500, "sbx_ch_second")))

    assert response.json()["status"] == "refunded"
    assert Payment.objects.count() == 1 and balance(maria) == 7500


def test_an_expired_session_takes_no_card_and_changes_nothing(key, maria) -> None:
    record = hosted_payment_start(
        request=HostedPaymentRequest(maria.number, 4500, RETURN),
        request_key="test:expired", now=timezone.now() - timedelta(hours=2),
    )  # fmt: skip
    page = Client().get(record.redirect_url)
    posted = card_page_post(record.redirect_url)

    assert page.status_code == posted.status_code == 410
    assert "expired" in posted.content.decode()
    assert status(key, record.session_id)["state"] == "expired"
    assert not Payment.objects.exists() and balance(maria) == 12000


def test_starting_twice_with_one_idempotency_key_gives_one_session(key, maria) -> None:
    first, again = start(key, maria), start(key, maria)
    changed = start(key, maria, amount=4600)

    assert first == again and HostedPayment.objects.count() == 1
    assert changed["status"] == 409


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount_cents": 0}, "amount_cents"),
        ({"return_url": "javascript:alert(1)"}, "return_url"),
        ({"return_url": "/relative"}, "return_url"),
        ({"account_number": "99999999"}, "account_number"),
    ],
)
def test_a_bad_start_request_is_refused_and_creates_nothing(key, maria, overrides, field) -> None:
    response = start(key, maria, **overrides)
    assert response["status"] == 422 and response["field"] == field
    assert not HostedPayment.objects.exists()


def test_a_notification_for_an_unknown_session_is_404(key, maria) -> None:
    response = notify(*signed("sbx_cs_nobody", approved(4500)))
    assert response.status_code == 404 and not Payment.objects.exists()


def test_staff_see_web_payments_with_card_brand_last_four_and_state(key, maria) -> None:
    paid = start(key, maria)
    card_page_post(paid["redirect_url"])
    start(key, maria, idem="web-2")
    client = Client()
    client.force_login(staff_user(Role.CSR_II))

    page = client.get("/cashiering/web-payments/", {"account": maria.number}).content.decode()

    assert "VISA •••• 4242" in page and "Paid" in page and "Waiting for the customer" in page
    assert "$45.00" in page
