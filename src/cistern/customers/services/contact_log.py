"""The contact log: every interaction with a customer, in the order it happened. Append-only."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.models import ContactLogEntry
from cistern.customers.search_index import search_document_refresh
from cistern.customers.services.locks import account_lock

SUMMARY_MAX_CHARS = 4000
CLOCK_SKEW = timedelta(minutes=5)  # a contact "now" on a slightly fast PC clock is not refused
CONTACT_CHANNEL_INVALID = _("Choose how the contact came in: phone, walk-in, e-mail, ...")
CONTACT_DIRECTION_INVALID = _(
    "Choose inbound (the customer reached us) or outbound (we reached them)."
)
CONTACT_SUMMARY_MISSING = _("Write what the contact was about.")
CONTACT_SUMMARY_TOO_LONG = _("Keep the summary under 4,000 characters.")
CONTACT_IN_FUTURE = _("A contact cannot happen in the future. Enter the time it happened.")


def contact_log_create(
    *,
    account_id: int,
    channel: str,
    direction: str,
    summary: str,
    actor: Any,
    occurred_at: datetime | None = None,
) -> ContactLogEntry:
    """Log one interaction on an account; ``occurred_at`` defaults to now."""
    if channel not in ContactLogEntry.Channel.values:
        raise ServiceError(str(CONTACT_CHANNEL_INVALID), field="channel")
    if direction not in ContactLogEntry.Direction.values:
        raise ServiceError(str(CONTACT_DIRECTION_INVALID), field="direction")
    summary = (summary or "").strip()
    if not summary:
        raise ServiceError(str(CONTACT_SUMMARY_MISSING), field="summary")
    if len(summary) > SUMMARY_MAX_CHARS:
        raise ServiceError(str(CONTACT_SUMMARY_TOO_LONG), field="summary")
    now = timezone.now()
    when = occurred_at or now
    if when > now + CLOCK_SKEW:
        raise ServiceError(str(CONTACT_IN_FUTURE), field="occurred_at")
    with transaction.atomic():
        account = account_lock(account_id)
        entry = ContactLogEntry.objects.create(
            account=account,
            channel=channel,
            direction=direction,
            summary=summary,
            staff=actor,
            occurred_at=when,
        )
        audit_record(
            actor=actor,
            action="contact_log.create",
            subject=entry,
            after={"channel": channel, "direction": direction, "occurred_at": when},
            account_id=account.pk,
        )
        search_document_refresh(account_id=account.pk)
    return entry
