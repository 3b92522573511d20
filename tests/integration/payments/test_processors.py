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


def test_a_hosted_page_session_round_trips_its_amount() -> None:
    sandbox = SandboxProcessor()
    session = sandbox.hosted_session_create(amount_cents=4500, reference="web-1", return_url="/x")
    assert session.redirect_url.startswith("https://sandbox.invalid/pay/")
    result = sandbox.hosted_session_result(session_id=session.session_id, token="tok_amex_0005")
    assert result.approved and result.amount_cents == 4500 and result.brand == "amex"


def test_a_refund_is_approved_and_the_configured_processor_is_the_sandbox() -> None:
    refund = SandboxProcessor().refund(reference="sbx_ch_1", amount_cents=100)
    assert refund.approved and refund.amount_cents == 100
    assert isinstance(card_processor(), SandboxProcessor)
