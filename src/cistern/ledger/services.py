"""Every write to the ledger. ``journal_entry_post`` is the only writer of postings.

Invariants kept here (reference/reliability.md): I1 each entry balances (checked before
writing; on PostgreSQL also by a deferred trigger at commit); I3 entries and postings are
only ever inserted; I4 a correction is a reversing entry linked to its original, at most
once, and a reversal is never itself reversed; I5 one entry per idempotency key — the same
key with the same content returns the first entry, with different content is refused; I9
nothing posts into a closed period, and ``recorded_at`` (when written) is kept apart from
``effective_date`` (the accounting date).

Periods and the chart of accounts have their own modules; their services are re-exported
here so callers import writes from one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.models import Account
from cistern.ledger.chart_services import (
    ACCOUNT_CODE_IN_USE,
    ACCOUNT_CODE_LOCKED,
    ACCOUNT_KIND_LOCKED,
    ledger_account_create,
    ledger_account_update,
    ledger_chart_seed,
)
from cistern.ledger.domain.entries import (
    EntryRejected,
    Leg,
    entry_content_hash,
    reversal_legs,
    validate_legs,
)
from cistern.ledger.models import JournalEntry, LedgerAccount, Posting
from cistern.ledger.period_services import (
    PERIOD_CLOSED,
    PERIOD_EARLIER_OPEN,
    PERIOD_NOT_ENDED,
    accounting_period_close,
    accounting_period_ensure,
    period_lock_open,
)

__all__ = [
    "ACCOUNT_CODE_IN_USE",
    "ACCOUNT_CODE_LOCKED",
    "ACCOUNT_KIND_LOCKED",
    "ENTRY_ALREADY_REVERSED",
    "ENTRY_IS_REVERSAL",
    "KEY_MISSING",
    "KEY_REUSED",
    "PERIOD_CLOSED",
    "PERIOD_EARLIER_OPEN",
    "PERIOD_NOT_ENDED",
    "REVERSAL_BEFORE_ORIGINAL",
    "SOURCE_MISSING",
    "Leg",
    "accounting_period_close",
    "accounting_period_ensure",
    "journal_entry_post",
    "journal_entry_reverse",
    "ledger_account_create",
    "ledger_account_update",
    "ledger_chart_seed",
]

KEY_MISSING = "An idempotency key (up to 120 characters) is required to post an entry."
KEY_REUSED = (
    "Idempotency key “{key}” was already used for a different entry (JE{entry_id}). "
    "Use a new key for a new event, or send exactly the same entry to replay it."
)
SOURCE_MISSING = "Say where the entry comes from (source, up to 40 characters)."
FIELD_TOO_LONG = "The {field} is longer than {limit} characters."
UNKNOWN_CUSTOMER_ACCOUNT = "Customer account id {account_id} does not exist."
ENTRY_ALREADY_REVERSED = (
    "JE{entry_id} was already reversed by JE{reversal_id}. An entry is reversed at most once."
)
ENTRY_IS_REVERSAL = (
    "JE{entry_id} is itself a reversal and cannot be reversed. "
    "Post the original event again with a new key instead."
)
REVERSAL_BEFORE_ORIGINAL = (
    "A reversal cannot be dated before the entry it reverses ({original_date}). "
    "Choose a date on or after it."
)
REVERSAL_REASON_MISSING = "Give the reason for the reversal."

SOURCE_REVERSAL = "reversal"
_LIMITS = {"idempotency_key": 120, "source": 40, "source_ref": 80, "memo": 300}


def journal_entry_post(
    *,
    idempotency_key: str,
    effective_date: date,
    source: str,
    source_ref: str = "",
    memo: str = "",
    legs: Sequence[Leg],
    actor: Any,
) -> JournalEntry:
    """Post one balanced entry, or return the entry already posted under this key (I5).

    Locks the customer accounts it touches (in id order) and the period it posts into, so
    concurrent posts to one account queue and a period cannot close under a post.
    """
    return _post(
        idempotency_key=idempotency_key,
        effective_date=effective_date,
        source=source,
        source_ref=source_ref,
        memo=memo,
        legs=legs,
        actor=actor,
        reverses=None,
    )


def _post(
    *,
    idempotency_key: str,
    effective_date: date,
    source: str,
    source_ref: str,
    memo: str,
    legs: Sequence[Leg],
    actor: Any,
    reverses: JournalEntry | None,
) -> JournalEntry:
    legs = tuple(legs)
    if isinstance(effective_date, datetime) or not isinstance(effective_date, date):
        raise TypeError("effective_date must be a date (the accounting date), not a datetime")
    actor = actor if getattr(actor, "pk", None) else None
    _check_header(idempotency_key, source, source_ref, memo)
    content_hash = entry_content_hash(
        legs=legs, effective_date=effective_date, source=source, source_ref=source_ref, memo=memo
    )
    with transaction.atomic():
        existing = _replayed(idempotency_key, content_hash)
        if existing is not None:
            return existing
        accounts = _validated_ledger_accounts(legs)
        _lock_customer_accounts(leg.customer_account_id for leg in legs)
        period_lock_open(effective_date)
        # A racer that posted this key meanwhile makes the insert fail; ``_insert_entry``
        # then returns its entry and the replay check below compares the content.
        entry, created = _insert_entry(
            idempotency_key=idempotency_key,
            content_hash=content_hash,
            effective_date=effective_date,
            source=source,
            source_ref=source_ref,
            memo=memo,
            actor=actor,
            reverses=reverses,
        )
        if not created:  # a concurrent post with this key committed first
            return _replayed(idempotency_key, content_hash) or entry
        _insert_postings(entry, legs, accounts)
        _audit_entry(entry, legs, actor)
    return entry


def _check_header(key: str, source: str, source_ref: str, memo: str) -> None:
    if not key or not key.strip():
        raise ServiceError(KEY_MISSING, field="idempotency_key")
    if not source or not source.strip():
        raise ServiceError(SOURCE_MISSING, field="source")
    values = {"idempotency_key": key, "source": source, "source_ref": source_ref, "memo": memo}
    for field, value in values.items():
        if len(value) > _LIMITS[field]:
            raise ServiceError(
                FIELD_TOO_LONG.format(field=field.replace("_", " "), limit=_LIMITS[field]),
                field=field,
            )


def _replayed(key: str, content_hash: str) -> JournalEntry | None:
    """The entry already posted under ``key`` if its content matches; refuse if it differs."""
    existing = JournalEntry.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.content_hash != content_hash:
        raise ServiceError(
            KEY_REUSED.format(key=key, entry_id=existing.pk), field="idempotency_key"
        )
    return existing


def _validated_ledger_accounts(legs: Sequence[Leg]) -> dict[str, LedgerAccount]:
    codes = {leg.account_code for leg in legs}
    accounts = {a.code: a for a in LedgerAccount.objects.filter(code__in=codes)}
    try:
        validate_legs(
            legs,
            known_codes=accounts.keys(),
            inactive_codes={c for c, a in accounts.items() if not a.active},
            receivable_codes={c for c, a in accounts.items() if a.is_receivable},
        )
    except EntryRejected as exc:
        raise ServiceError(exc.message, field="legs") from exc
    return accounts


def _lock_customer_accounts(ids: Iterable[int | None]) -> None:
    """Row-lock the customer accounts in id order (a fixed order cannot deadlock)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return
    found = list(
        Account.objects.select_for_update()
        .filter(pk__in=wanted)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise ServiceError(UNKNOWN_CUSTOMER_ACCOUNT.format(account_id=missing[0]), field="legs")


def _insert_entry(**fields: Any) -> tuple[JournalEntry, bool]:
    """Insert the entry; if a concurrent post took the key first, return that one instead."""
    try:
        with transaction.atomic():
            return JournalEntry.objects.create(recorded_at=timezone.now(), **fields), True
    except IntegrityError:
        existing = JournalEntry.objects.filter(idempotency_key=fields["idempotency_key"]).first()
        if existing is None:
            raise
        return existing, False


def _insert_postings(
    entry: JournalEntry, legs: Sequence[Leg], accounts: dict[str, LedgerAccount]
) -> None:
    Posting.objects.bulk_create(
        Posting(
            entry=entry,
            ledger_account=accounts[leg.account_code],
            amount_cents=leg.amount_cents,
            customer_account_id=leg.customer_account_id,
            charge_category=leg.charge_category,
            effective_date=entry.effective_date,
        )
        for leg in legs
    )


def audit_after(entry: JournalEntry, legs: Sequence[Leg]) -> dict[str, Any]:
    """The ``after`` document of an entry's audit event (the bulk path writes the same)."""
    return {
        "idempotency_key": entry.idempotency_key,
        "effective_date": entry.effective_date.isoformat(),
        "source": entry.source,
        "source_ref": entry.source_ref,
        "memo": entry.memo,
        "reverses": entry.reverses_id,
        "legs": [leg.as_json() for leg in legs],
    }


def _audit_entry(entry: JournalEntry, legs: Sequence[Leg], actor: Any) -> None:
    """One audit event per customer account touched (or one with none), so every
    account's history shows the entries that moved its balance."""
    after = audit_after(entry, legs)
    touched = sorted({leg.customer_account_id for leg in legs if leg.customer_account_id})
    for account_id in touched or [None]:
        audit_record(
            actor=actor,
            action="ledger.entry.post",
            subject=entry,
            after=after,
            reason=entry.memo,
            account_id=account_id,
        )


def journal_entry_reverse(
    *,
    entry: JournalEntry,
    effective_date: date,
    reason: str,
    actor: Any,
    idempotency_key: str | None = None,
) -> JournalEntry:
    """Post the entry that exactly undoes ``entry`` (I4), linked to it, at most once.

    With an ``idempotency_key`` that was already used for this very reversal, the existing
    reversal is returned (a replay); otherwise a second reversal is refused.
    """
    if not reason or not reason.strip():
        raise ServiceError(REVERSAL_REASON_MISSING, field="reason")
    legs = reversal_legs(_legs_of(entry))
    key = idempotency_key or f"reversal:JE{entry.pk}"
    post_args = {
        "idempotency_key": key,
        "effective_date": effective_date,
        "source": SOURCE_REVERSAL,
        "source_ref": f"JE{entry.pk}",
        "memo": reason.strip()[: _LIMITS["memo"]],
        "legs": legs,
    }
    with transaction.atomic():
        original = JournalEntry.objects.select_for_update().get(pk=entry.pk)
        if idempotency_key is not None:
            existing = _replayed(key, entry_content_hash(**_hash_args(post_args)))
            if existing is not None:
                return existing
        _check_reversible(original, effective_date)
        return _post(**post_args, actor=actor, reverses=original)


def _hash_args(post_args: dict[str, Any]) -> dict[str, Any]:
    return {k: post_args[k] for k in ("legs", "effective_date", "source", "source_ref", "memo")}


def _check_reversible(original: JournalEntry, effective_date: date) -> None:
    if original.reverses_id is not None:
        raise ServiceError(ENTRY_IS_REVERSAL.format(entry_id=original.pk))
    reversal = JournalEntry.objects.filter(reverses=original).first()
    if reversal is not None:
        raise ServiceError(
            ENTRY_ALREADY_REVERSED.format(entry_id=original.pk, reversal_id=reversal.pk)
        )
    if effective_date < original.effective_date:
        raise ServiceError(
            REVERSAL_BEFORE_ORIGINAL.format(original_date=original.effective_date.isoformat()),
            field="effective_date",
        )


def _legs_of(entry: JournalEntry) -> list[Leg]:
    return [
        Leg(p.ledger_account.code, p.amount_cents, p.customer_account_id, p.charge_category)
        for p in entry.postings.select_related("ledger_account").order_by("id")
    ]
