"""The sandbox processor's notification signature, test cards and card-number checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cistern.payments import hosted_sandbox as sandbox
from cistern.payments.processors import CardResult, NotificationRefused

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
APPROVED = CardResult(True, 4500, "sbx_ch_abc", "visa", "4242", "A1B2C3")


def _signed(at: datetime = NOW, secret: str = "s3cret") -> tuple[bytes, dict[str, str]]:
    body = sandbox.notification_body(session_id="sbx_cs_1", result=APPROVED, sent_at=at)
    return body, sandbox.notification_sign(body, at=at, secret=secret)


def test_a_signed_notification_verifies_and_reads_back(settings) -> None:
    settings.CISTERN_CARD_WEBHOOK_SECRET = "s3cret"
    body, headers = _signed()
    notice = sandbox.notification_verify(body=body, headers=headers, now=NOW + timedelta(seconds=5))
    assert notice.session_id == "sbx_cs_1" and notice.result == APPROVED
    assert notice.event_id.startswith("evt_") and notice.sent_at == NOW


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b, h: (b.replace(b"4500", b"4501"), h), sandbox.SIGNATURE_WRONG),
        (lambda b, h: (b, {"Sandbox-Signature": h["Sandbox-Signature"][:-2] + "00"}),
         sandbox.SIGNATURE_WRONG),
        (lambda b, h: (b, {}), sandbox.SIGNATURE_MISSING),
        (lambda b, h: (b, {"Sandbox-Signature": "t=abc,v1=00"}), sandbox.SIGNATURE_MISSING),
    ],
)  # fmt: skip
def test_an_altered_or_unsigned_notification_is_refused(settings, change, message) -> None:
    settings.CISTERN_CARD_WEBHOOK_SECRET = "s3cret"
    body, headers = change(*_signed())
    with pytest.raises(NotificationRefused) as refused:
        sandbox.notification_verify(body=body, headers=headers, now=NOW)
    assert refused.value.message == message


def test_a_notification_signed_with_another_secret_is_refused(settings) -> None:
    settings.CISTERN_CARD_WEBHOOK_SECRET = "s3cret"
    body, headers = _signed(secret="other")
    with pytest.raises(NotificationRefused, match="does not match"):
        sandbox.notification_verify(body=body, headers=headers, now=NOW)


def test_a_notification_older_than_five_minutes_is_a_replay(settings) -> None:
    settings.CISTERN_CARD_WEBHOOK_SECRET = "s3cret"
    body, headers = _signed()
    late = NOW + timedelta(seconds=sandbox.TOLERANCE_SECONDS + 1)
    with pytest.raises(NotificationRefused) as refused:
        sandbox.notification_verify(body=body, headers=headers, now=late)
    assert refused.value.message == sandbox.TOO_OLD


@pytest.mark.parametrize(
    ("number", "token", "approved"),
    [
        ("4242424242424242", "tok_visa_4242", True),
        ("5555555555554444", "tok_mastercard_4444", True),
        ("378282246310005", "tok_amex_0005", True),
        ("6011111111111117", "tok_discover_1117", True),
        ("4000000000000002", "tok_declined_generic", False),
        ("4000000000009995", "tok_declined_funds", False),
        ("4111111111111111", "tok_declined_unknown", False),
    ],
)
def test_test_cards_tokenize_and_charge_as_documented(number, token, approved) -> None:
    assert sandbox.luhn_ok(number)
    assert sandbox.tokenize(number) == token
    result = sandbox.charge(token=token, amount_cents=100, session_id="sbx_cs_1")
    assert result.approved is approved and (result.decline_reason == "") is approved
    assert number not in repr(result)


def test_a_mistyped_number_fails_the_check_digit() -> None:
    assert not sandbox.luhn_ok("4242424242424241")


def test_the_return_address_keeps_its_own_query_and_adds_the_outcome() -> None:
    url = sandbox.return_address("https://x.example/done?a=1#top", outcome="approved")
    assert url == "https://x.example/done?a=1&outcome=approved#top"
