"""The sandbox processor's side of a web card payment: its hosted page, test cards, signatures.

It plays the part a real processor plays, so tests and the demo run the whole flow with no
network. What it does, in order:

1. ``session_create``: a session id and the URL of the sandbox's card page. Everything the
   page needs (amount, return address, expiry) travels in a signed token in that URL, as a
   processor keeps it on its own servers: Cistern's database is not the processor's.
2. ``pay`` (the page, /sandbox-processor/pay/<token>/): the customer types a card number;
   the page checks it, turns it into a token (``tok_visa_4242``) and forgets it, charges the
   token, and notifies Cistern. The number is never stored, logged or sent on.
3. ``notification_sign``/``notification_verify``: the notification is JSON signed like
   Stripe's webhooks: header ``Sandbox-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
   "<t>.<body>" under the shared secret>``. A message older than five minutes is refused as a
   replay; a repeated fresh one finds its charge already posted and changes nothing.

Test cards (any future expiry, any 3-digit CVC; 4 digits for Amex):

=====================  ====================================
4242 4242 4242 4242    Visa, approved
5555 5555 5555 4444    Mastercard, approved
3782 822463 10005      American Express, approved
6011 1111 1111 1117    Discover, approved
4000 0000 0000 0002    declined (generic)
4000 0000 0000 9995    declined: insufficient funds
4000 0000 0000 0069    declined: expired card
=====================  ====================================

Any other number that passes the Luhn check is declined as unknown to the sandbox.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.core import signing
from django.urls import reverse

from cistern.payments import config
from cistern.payments.processors import (
    DECLINED,
    CardResult,
    HostedNotification,
    HostedSession,
    NotificationRefused,
    SandboxProcessor,
)

SIGNATURE_HEADER = "Sandbox-Signature"
TOLERANCE_SECONDS = 300
_SALT = "cistern.payments.sandbox-session"

TEST_CARDS: dict[str, tuple[str, str]] = {
    # number: (token, decline reason or "")
    "4242424242424242": ("tok_visa_4242", ""),
    "5555555555554444": ("tok_mastercard_4444", ""),
    "378282246310005": ("tok_amex_0005", ""),
    "6011111111111117": ("tok_discover_1117", ""),
    "4000000000000002": ("tok_declined_generic", DECLINED),
    "4000000000009995": ("tok_declined_funds", "Insufficient funds. Try another card."),
    "4000000000000069": ("tok_declined_expired", "The card has expired. Try another card."),
}
UNKNOWN_CARD = "The sandbox does not know this card. Use one of its test cards."
SIGNATURE_MISSING = "The notification has no valid signature header."
SIGNATURE_WRONG = (
    "The notification's signature does not match: it was not sent by the processor or was altered."
)
TOO_OLD = "The notification is more than five minutes old: refused as a replay."
UNREADABLE = "The notification body is not the JSON the processor sends."


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


# -- sessions ------------------------------------------------------------------------------


def session_create(
    *, amount_cents: int, reference: str, return_url: str, expires_at: datetime
) -> HostedSession:
    session_id = f"sbx_cs_{_digest(reference, amount_cents)[:24]}"
    token = signing.dumps(
        {"s": session_id, "a": amount_cents, "u": return_url, "e": int(expires_at.timestamp())},
        salt=_SALT,
        compress=True,
    )
    url = reverse("sandbox_processor:pay", kwargs={"token": token})
    return HostedSession(session_id, url, amount_cents)


def session_read(token: str) -> dict[str, Any] | None:
    """The session a page token carries, or None when the token was made up or altered."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    return {
        "session_id": data["s"],
        "amount_cents": int(data["a"]),
        "return_url": data["u"],
        "expires_at": datetime.fromtimestamp(int(data["e"]), tz=UTC),
    }


def return_address(return_url: str, **params: str) -> str:
    """``return_url`` with the outcome added to its query string."""
    parts = urlsplit(return_url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


# -- cards ---------------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def tokenize(number: str) -> str:
    """The sandbox's token for a card number; the number itself goes no further than here."""
    known = TEST_CARDS.get(number)
    return known[0] if known else "tok_declined_unknown"


def charge(*, token: str, amount_cents: int, session_id: str) -> CardResult:
    """Charge a token for a session: the same card and session give the same charge."""
    if token.startswith("tok_declined"):
        reason = next((r for t, r in TEST_CARDS.values() if t == token), UNKNOWN_CARD)
        return CardResult(False, amount_cents, decline_reason=reason)
    return SandboxProcessor().terminal_charge(
        token=token, amount_cents=amount_cents, reference=session_id
    )


# -- notifications -------------------------------------------------------------------------


def notification_body(*, session_id: str, result: CardResult, sent_at: datetime) -> bytes:
    key = result.reference if result.approved else f"{session_id}:{result.decline_reason}"
    event = {
        "id": f"evt_{_digest(key, int(sent_at.timestamp()))[:24]}",
        "type": "charge.approved" if result.approved else "charge.declined",
        "session_id": session_id,
        "amount_cents": result.amount_cents,
        "reference": result.reference,
        "brand": result.brand,
        "last4": result.last4,
        "auth_code": result.auth_code,
        "decline_reason": result.decline_reason,
        "created": int(sent_at.timestamp()),
    }
    return json.dumps(event, sort_keys=True).encode()


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def notification_sign(body: bytes, *, at: datetime, secret: str | None = None) -> dict[str, str]:
    """The headers the sandbox sends with ``body``."""
    timestamp = int(at.timestamp())
    mac = _mac(secret or config.card_webhook_secret(), timestamp, body)
    return {SIGNATURE_HEADER: f"t={timestamp},v1={mac}"}


def _signature(headers: Mapping[str, str]) -> tuple[int, str]:
    lowered = {k.lower(): v for k, v in headers.items()}
    fields = dict(
        part.split("=", 1)
        for part in lowered.get(SIGNATURE_HEADER.lower(), "").split(",")
        if "=" in part
    )
    if not fields.get("t", "").isdigit() or not fields.get("v1"):
        raise NotificationRefused(SIGNATURE_MISSING)
    return int(fields["t"]), fields["v1"]


def notification_verify(
    *, body: bytes, headers: Mapping[str, str], now: datetime
) -> HostedNotification:
    timestamp, mac = _signature(headers)
    if not hmac.compare_digest(_mac(config.card_webhook_secret(), timestamp, body), mac):
        raise NotificationRefused(SIGNATURE_WRONG)
    if abs(now.timestamp() - timestamp) > TOLERANCE_SECONDS:
        raise NotificationRefused(TOO_OLD)
    try:
        event = json.loads(body)
        approved = event["type"] == "charge.approved"
        result = CardResult(
            approved=approved, amount_cents=int(event["amount_cents"]),
            reference=str(event["reference"]), brand=str(event["brand"]),
            last4=str(event["last4"]), auth_code=str(event["auth_code"]),
            decline_reason=str(event["decline_reason"]),
        )  # fmt: skip
        return HostedNotification(
            event_id=str(event["id"]), session_id=str(event["session_id"]), result=result,
            sent_at=datetime.fromtimestamp(timestamp, tz=UTC),
        )  # fmt: skip
    except (ValueError, KeyError, TypeError) as error:
        raise NotificationRefused(UNREADABLE) from error
