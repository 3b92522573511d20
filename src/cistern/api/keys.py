"""API keys: created once (the plain key is shown only then), stored as a SHA-256 hash.

A key looks like ``cst_<43 url-safe characters>`` (32 random bytes). Authentication hashes
the presented key and compares it in constant time with the stored hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.api.models import ApiKey
from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError

KEY_PREFIX = "cst_"
NAME_MISSING = "Give the key a name that says who uses it (e.g. “IVR”)."
NAME_TAKEN = "A key named “{name}” already exists; choose another name or deactivate that key."


def api_key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_key_create(*, name: str, actor: Any = None) -> tuple[ApiKey, str]:
    """Create a key; return the row and the plain key (shown once, never stored)."""
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(_(NAME_MISSING), field="name")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        if ApiKey.objects.filter(name=name).exists():
            raise ServiceError(_(NAME_TAKEN).format(name=name), field="name")
        key = ApiKey.objects.create(
            name=name, prefix=raw[len(KEY_PREFIX) : len(KEY_PREFIX) + 8],
            key_sha256=api_key_hash(raw), created_at=timezone.now(),
        )  # fmt: skip
        audit_record(actor=actor, action="api.key.create", subject=key, after={"name": name})
    return key, raw


def api_key_deactivate(*, key_id: int, actor: Any = None) -> ApiKey:
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key_id)
        key.active = False
        key.save(update_fields=["active"])
        audit_record(
            actor=actor, action="api.key.deactivate", subject=key,
            before={"active": True}, after={"active": False},
        )  # fmt: skip
    return key


def api_key_authenticate(raw: str) -> ApiKey | None:
    """The active key matching ``raw``, or None."""
    if not raw or not raw.startswith(KEY_PREFIX):
        return None
    prefix = raw[len(KEY_PREFIX) : len(KEY_PREFIX) + 8]
    digest = api_key_hash(raw)
    for key in ApiKey.objects.filter(prefix=prefix, active=True):
        if hmac.compare_digest(key.key_sha256, digest):
            return key
    return None
