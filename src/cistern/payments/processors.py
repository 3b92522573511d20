"""The card processor interface, and the deterministic sandbox used by tests and the demo.

Rule (reference/payments.md "Cards — keep card data out"): Cistern never sees a card number
or security code. Web payments go to the processor's hosted page; counter terminals talk to
the processor themselves and hand Cistern a token. What comes back, and all Cistern keeps, is
a ``CardResult``: the processor's reference, brand, last four digits, authorization code and
amount. A real processor is a subclass of ``CardProcessor`` named by the setting
``CISTERN_CARD_PROCESSOR``.

Sandbox tokens: ``tok_<brand>_<last4>`` approves (``tok_visa_4242``, ``tok_mastercard_4444``,
``tok_amex_0005``, ``tok_discover_1117``); ``tok_declined`` and any unknown token decline.
References are derived from the token, amount and the caller's reference, so the same charge
gives the same answer every time.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cache

from django.utils.module_loading import import_string

from cistern.payments import config

DECLINED = "The card was declined. Ask for another card or another way to pay."


@dataclass(frozen=True)
class CardResult:
    """A processor's answer. ``approved`` False carries the processor's ``decline_reason``."""

    approved: bool
    amount_cents: int
    reference: str = ""
    brand: str = ""
    last4: str = ""
    auth_code: str = ""
    decline_reason: str = ""


@dataclass(frozen=True)
class HostedSession:
    """Where to send the customer's browser to pay on the processor's own page."""

    session_id: str
    redirect_url: str
    amount_cents: int


@dataclass(frozen=True)
class RefundResult:
    approved: bool
    reference: str
    amount_cents: int


class CardProcessor(ABC):
    """What Cistern asks of a card processor."""

    @abstractmethod
    def terminal_charge(self, *, token: str, amount_cents: int, reference: str) -> CardResult:
        """Charge the card presented at a counter terminal (``token`` from the terminal)."""

    @abstractmethod
    def hosted_session_create(
        self, *, amount_cents: int, reference: str, return_url: str
    ) -> HostedSession:
        """Start a hosted payment page for a web payment."""

    @abstractmethod
    def hosted_session_result(self, *, session_id: str, token: str) -> CardResult:
        """The outcome of a hosted page session, once the processor calls back."""

    @abstractmethod
    def refund(self, *, reference: str, amount_cents: int) -> RefundResult:
        """Give back (all or part of) a charge."""


_TOKEN = re.compile(r"^tok_(visa|mastercard|amex|discover)_([0-9]{4})$")


def _digest(*parts: object) -> str:
    text = "|".join(str(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()


class SandboxProcessor(CardProcessor):
    """Deterministic stand-in for a processor: no network, the same answer every time."""

    def terminal_charge(self, *, token: str, amount_cents: int, reference: str) -> CardResult:
        match = _TOKEN.match(token or "")
        if amount_cents <= 0 or match is None:
            return CardResult(False, amount_cents, decline_reason=DECLINED)
        digest = _digest(token, amount_cents, reference)
        return CardResult(
            approved=True,
            amount_cents=amount_cents,
            reference=f"sbx_ch_{digest[:20]}",
            brand=match.group(1),
            last4=match.group(2),
            auth_code=digest[20:26].upper(),
        )

    def hosted_session_create(
        self, *, amount_cents: int, reference: str, return_url: str
    ) -> HostedSession:
        session_id = f"sbx_cs_{amount_cents}_{_digest(amount_cents, reference)[:20]}"
        url = f"https://sandbox.invalid/pay/{session_id}?return={return_url}"
        return HostedSession(session_id, url, amount_cents)

    def hosted_session_result(self, *, session_id: str, token: str) -> CardResult:
        # The sandbox keeps the amount in the session id (a real one looks the session up).
        parts = session_id.split("_")
        amount = int(parts[2]) if len(parts) == 4 and parts[2].isdigit() else 0
        return self.terminal_charge(token=token, amount_cents=amount, reference=session_id)

    def refund(self, *, reference: str, amount_cents: int) -> RefundResult:
        return RefundResult(True, f"sbx_re_{_digest(reference, amount_cents)[:20]}", amount_cents)


@cache
def _processor_class(path: str) -> type[CardProcessor]:
    return import_string(path)  # type: ignore[no-any-return]


def card_processor() -> CardProcessor:
    """The district's configured processor (the sandbox unless settings say otherwise)."""
    return _processor_class(config.card_processor_path())()
