"""The card processor interface's sandbox: deterministic approvals, declines and refunds."""

from __future__ import annotations

from cistern.payments.processors import DECLINED, SandboxProcessor, card_processor


def test_a_visa_token_approves_with_only_brand_last_four_reference_and_auth() -> None:
    result = SandboxProcessor().terminal_charge(
        token="tok_visa_4242", amount_cents=1234, reference="r1"
    )
    assert result.approved and (result.brand, result.last4) == ("visa", "4242")
    assert result.reference.startswith("sbx_ch_") and len(result.auth_code) == 6
    again = SandboxProcessor().terminal_charge(
        token="tok_visa_4242", amount_cents=1234, reference="r1"
    )
    assert again == result


def test_declined_and_unknown_tokens_decline() -> None:
    for token in ("tok_declined", "4242424242424242", ""):
        result = SandboxProcessor().terminal_charge(token=token, amount_cents=100, reference="r")
        assert not result.approved and result.decline_reason == DECLINED


def test_a_hosted_page_session_points_at_the_sandbox_page_carrying_its_amount() -> None:
    from datetime import UTC, datetime

    from cistern.payments.hosted_sandbox import session_read

    sandbox = SandboxProcessor()
    expires = datetime(2030, 1, 1, tzinfo=UTC)
    session = sandbox.hosted_session_create(
        amount_cents=4500, reference="web-1", return_url="https://x.example/", expires_at=expires
    )
    assert session.redirect_url.startswith("/sandbox-processor/pay/")
    token = session.redirect_url.rstrip("/").rsplit("/", 1)[1]
    assert session_read(token) == {
        "session_id": session.session_id, "amount_cents": 4500,
        "return_url": "https://x.example/", "expires_at": expires,
    }  # fmt: skip


def test_a_refund_is_approved_and_the_configured_processor_is_the_sandbox() -> None:
    refund = SandboxProcessor().refund(reference="sbx_ch_1", amount_cents=100)
    assert refund.approved and refund.amount_cents == 100
    assert isinstance(card_processor(), SandboxProcessor)
