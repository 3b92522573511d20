"""``Idempotency-Key`` for money-moving API calls (reliability.md I5; Stripe's rule).

The first response to (API key, Idempotency-Key) is stored with a hash of the request. A
replay with the same request returns that response, status and body, unchanged. The same
key with a different request is refused with 409 and nothing happens. Requests with one API
key are serialized by a row lock on the key, so two racing replays cannot both run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from cistern.api.models import ApiKey, IdempotencyRecord

KEY_MISSING = "Send an Idempotency-Key header (1-120 characters) with every payment request."
KEY_REUSED = (
    "Idempotency-Key “{key}” was already used for a different request. Use a new key for a "
    "new payment, or resend exactly the same request to get its first response."
)
MAX_KEY_LENGTH = 120

Handler = Callable[[], tuple[int, dict[str, Any]]]


def request_hash(operation: str, body: dict[str, Any]) -> str:
    text = json.dumps({"op": operation, "body": body}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def key_problem(key: str | None) -> str | None:
    """Why ``key`` cannot be used, or None."""
    if not key or not key.strip() or len(key) > MAX_KEY_LENGTH:
        return KEY_MISSING
    return None


def idempotent(
    *, api_key: ApiKey, key: str, operation: str, body: dict[str, Any], handler: Handler
) -> tuple[int, dict[str, Any]]:
    """Run ``handler`` once per (api_key, key); replay its first (status, body) afterwards."""
    digest = request_hash(operation, body)
    with transaction.atomic():
        ApiKey.objects.select_for_update().filter(pk=api_key.pk).update(last_used_at=timezone.now())
        record = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
        if record is not None:
            if record.request_sha256 != digest or record.operation != operation:
                return 409, {"error": KEY_REUSED.format(key=key), "code": "idempotency_key_reused"}
            return record.status_code, record.response_body
        status, response = handler()
        IdempotencyRecord.objects.create(
            api_key=api_key, key=key, operation=operation, request_sha256=digest,
            status_code=status, response_body=response, created_at=timezone.now(),
        )  # fmt: skip
        return status, response
