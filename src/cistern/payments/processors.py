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

Web payments (the hosted page) take three steps, as with real processors: Cistern asks for a
session (``hosted_session_create``) and sends the customer's browser to its URL; the
processor's page takes the card; the processor then notifies Cistern with a signed message,
which ``hosted_notification_verify`` checks (signature, freshness) and reads. The sandbox's
hosted page and its signing live in ``cistern.payments.hosted_sandbox``.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
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
class HostedNotification:
    """A verified message from the processor about one hosted session: a charge approved
    (``result.approved``) or declined. ``event_id`` is the processor's id for the message."""

    event_id: str
    session_id: str
    result: CardResult
    sent_at: datetime


class NotificationRefused(Exception):
    """The message is not from the processor (bad signature), too old (a replay), or unreadable."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
        self, *, amount_cents: int, reference: str, return_url: str, expires_at: datetime
    ) -> HostedSession:
        """Start a hosted payment page for a web payment of exactly ``amount_cents``.

        ``reference`` is Cistern's id for the session; after paying (or cancelling) the
        processor sends the customer's browser to ``return_url``; the page refuses payment
        after ``expires_at``."""

    @abstractmethod
    def hosted_notification_verify(
        self, *, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> HostedNotification:
        """Check a notification's signature and age, and read it; raise ``NotificationRefused``
        when it is forged, altered, too old to be anything but a replay, or unreadable."""

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
        self, *, amount_cents: int, reference: str, return_url: str, expires_at: datetime
    ) -> HostedSession:
        from cistern.payments import hosted_sandbox

        return hosted_sandbox.session_create(
            amount_cents=amount_cents, reference=reference, return_url=return_url,
            expires_at=expires_at,
        )  # fmt: skip

    def hosted_notification_verify(
        self, *, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> HostedNotification:
        from cistern.payments import hosted_sandbox

        return hosted_sandbox.notification_verify(body=body, headers=headers, now=now)

    def refund(self, *, reference: str, amount_cents: int) -> RefundResult:
        return RefundResult(True, f"sbx_re_{_digest(reference, amount_cents)[:20]}", amount_cents)


@cache
def _processor_class(path: str) -> type[CardProcessor]:
    return import_string(path)  # type: ignore[no-any-return]


def card_processor() -> CardProcessor:
    """The district's configured processor (the sandbox unless settings say otherwise)."""
    return _processor_class(config.card_processor_path())()
