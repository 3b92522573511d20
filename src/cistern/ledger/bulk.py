"""Posting many journal entries in one transaction: the set-based twin of ``journal_entry_post``.

``journal_entries_post_bulk`` writes exactly the rows ``journal_entry_post`` would write for
each request — the entry (same key, content hash, dates, source, memo, actor), its postings
in leg order, one audit event per customer account it touches — with a handful of queries
per batch instead of about ten per entry. The same invariants hold:

- I1: every entry is validated by the same pure checks (``domain.entries.validate_legs``)
  before anything is written; on PostgreSQL the deferred balance trigger checks at commit.
- I5: a request whose key was already posted with the same content is a replay (skipped,
  the existing entry returned); the same key with different content is refused. Two
  requests in one batch with the same key count the same way (the second is a replay of
  the first, or refused).
- I9: every period the batch posts into is locked (in date order) and must be open.
- Locks: the customer accounts the batch touches are row-locked in id order, as the
  single path does, so a bulk post and a single post on one account queue.

All or nothing: if any request is refused, ``BulkRefused`` is raised listing every refused
key with its reason, and nothing is written. Callers that must set bad items aside and go
on (bill runs) call ``journal_entries_check`` first, drop what it refuses, and post the
rest (docs/decisions/ledger.md "Bulk posting").

Cost (a lockbox file posts 100,000 entries here): an entry's content hash and audit document
are rendered from templates per source and form of its legs (``bulk_text.legs_templates``,
checked against the single path's functions on the first entry of each form) when its
strings are plain, as the bill run's set-based writer does; on PostgreSQL the entries,
postings and audit rows go in as ``COPY`` text (both in ``bulk_rows``); the lookups send
their keys as one parameter (``bulk_sql.values_in``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from cistern.core.audit import AuditRow, audit_record_many
from cistern.core.errors import ServiceError
from cistern.customers.models import Account
from cistern.ledger.bulk_rows import (
    ENTRY_COLUMNS,
    POSTING_COLUMNS,
    EntryTexts,
    NewEntry,
    audited_accounts,
    copy_new,
)
from cistern.ledger.bulk_sql import insert_returning_ids, insert_rows, prepared, values_in
from cistern.ledger.domain.entries import (
    CATEGORY_MAX_LENGTH,
    EntryRejected,
    Leg,
    entry_content_hash,
    validate_legs,
)
from cistern.ledger.domain.periods import month_start
from cistern.ledger.models import JournalEntry, LedgerAccount, Posting
from cistern.ledger.period_services import period_closed_message, period_lock_open
from cistern.ledger.services import (
    _LIMITS,
    FIELD_TOO_LONG,
    KEY_MISSING,
    KEY_REUSED,
    SOURCE_MISSING,
    UNKNOWN_CUSTOMER_ACCOUNT,
)

BULK_REFUSED = "{count} of {total} entries were refused; nothing was posted. First: {first}"


@dataclass(frozen=True)
class EntryRequest:
    """One entry to post: the same arguments ``journal_entry_post`` takes."""

    idempotency_key: str
    effective_date: date
    source: str
    legs: tuple[Leg, ...]
    source_ref: str = ""
    memo: str = ""

    @cached_property
    def content_hash(self) -> str:
        """The entry's content hash (computed once: a check and a post both need it)."""
        return entry_content_hash(
            legs=self.legs,
            effective_date=self.effective_date,
            source=self.source,
            source_ref=self.source_ref,
            memo=self.memo,
        )


@dataclass
class BulkResult:
    """What a bulk post did: ``entry_ids`` maps every request's key to its entry's id
    (ids, not model instances: building 100,000 instances would cost seconds)."""

    entry_ids: dict[str, int] = field(default_factory=dict)
    created: int = 0
    replayed: int = 0


class BulkRefused(ServiceError):
    """Some requests were refused; ``problems`` maps each refused key to its reason."""

    def __init__(self, problems: dict[str, str], total: int) -> None:
        first_key = next(iter(problems))
        super().__init__(
            BULK_REFUSED.format(
                count=len(problems), total=total, first=f"{first_key}: {problems[first_key]}"
            ),
            field="legs",
        )
        self.problems = problems


def journal_entries_check(requests: Sequence[EntryRequest]) -> dict[str, str]:
    """Every refused request's key -> reason, without writing or locking anything."""
    problems, _ = _plan(requests, lock=False)
    return problems


def journal_entries_post_bulk(*, requests: Sequence[EntryRequest], actor: Any) -> BulkResult:
    """Post every request in one transaction, or raise ``BulkRefused`` and write nothing."""
    actor = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        problems, plan = _plan(requests, lock=True)
        if problems:
            raise BulkRefused(problems, len(requests))
        result = BulkResult(entry_ids=dict(plan.replays), replayed=len(plan.replays))
        if plan.new:
            created = _insert(plan, actor)
            result.entry_ids.update(created)
            result.created = len(created)
        result.replayed += plan.duplicates
    return result


@dataclass
class _Plan:
    new: list[NewEntry] = field(default_factory=list)
    replays: dict[str, int] = field(default_factory=dict)  # key -> entry id
    duplicates: int = 0  # a key repeated in the batch with the same content
    ledger_ids: dict[str, int] = field(default_factory=dict)


def _plan(requests: Sequence[EntryRequest], *, lock: bool) -> tuple[dict[str, str], _Plan]:
    """Validate every request; with ``lock``, take the account and period locks first."""
    problems: dict[str, str] = {}
    chart = {a.code: a for a in LedgerAccount.objects.all()}
    plan = _Plan(ledger_ids={code: a.pk for code, a in chart.items()})
    codes = _ChartCodes(
        known=frozenset(chart),
        inactive=frozenset(c for c, a in chart.items() if not a.active),
        receivable=frozenset(c for c, a in chart.items() if a.is_receivable),
        postable=frozenset(c for c, a in chart.items() if a.active and not a.is_receivable),
    )
    _check_customer_accounts(requests, problems, lock=lock)
    _check_periods(requests, problems, lock=lock)
    existing = _existing_entries([r.idempotency_key for r in requests])
    texts = EntryTexts()
    seen: dict[str, str] = {}
    for request in requests:
        key = request.idempotency_key
        problem = _request_problem(request, codes)
        if problem:
            problems.setdefault(key, problem)
            continue
        new = texts.of(request)
        content_hash = new.content_hash
        if key in existing:
            entry_id, found_hash = existing[key]
            if found_hash != content_hash:
                problems.setdefault(key, KEY_REUSED.format(key=key, entry_id=entry_id))
            else:
                plan.replays[key] = entry_id
        elif key in seen:
            if seen[key] != content_hash:
                problems.setdefault(key, KEY_REUSED.format(key=key, entry_id="(this batch)"))
            else:
                plan.duplicates += 1
        else:
            seen[key] = content_hash
            plan.new.append(new)
    return problems, plan


class _ChartCodes(NamedTuple):
    """The chart's codes, read once a batch (``validate_legs`` only tests membership)."""

    known: frozenset[str]
    inactive: frozenset[str]
    receivable: frozenset[str]
    postable: frozenset[str]  # active and not receivable: a leg there needs nothing else


def _request_problem(request: EntryRequest, codes: _ChartCodes) -> str | None:
    """The first thing wrong with one request (the single path's checks), or None."""
    if isinstance(request.effective_date, datetime) or not isinstance(request.effective_date, date):
        raise TypeError("effective_date must be a date (the accounting date), not a datetime")
    key, source = request.idempotency_key, request.source
    if not key or not key.strip():
        return KEY_MISSING
    if not source or not source.strip():
        return SOURCE_MISSING
    values = {
        "idempotency_key": key,
        "source": source,
        "source_ref": request.source_ref,
        "memo": request.memo,
    }
    for name, value in values.items():
        if len(value) > _LIMITS[name]:
            return FIELD_TOO_LONG.format(field=name.replace("_", " "), limit=_LIMITS[name])
    if _legs_plainly_valid(request.legs, codes):
        return None
    try:
        validate_legs(
            request.legs,
            known_codes=codes.known,
            inactive_codes=codes.inactive,
            receivable_codes=codes.receivable,
        )
    except EntryRejected as exc:
        return exc.message
    return None


def _legs_plainly_valid(legs: Sequence[Leg], codes: _ChartCodes) -> bool:
    """True when ``validate_legs`` would accept ``legs``, in one pass (the common case).

    False says nothing: ``validate_legs`` then runs and finds the message (or accepts).
    """
    if len(legs) < 2:
        return False
    total = 0
    for leg in legs:
        cents = leg.amount_cents
        if type(cents) is not int or cents == 0 or len(leg.charge_category) > CATEGORY_MAX_LENGTH:
            return False
        if leg.account_code not in codes.postable and not (
            leg.account_code in codes.receivable
            and leg.account_code not in codes.inactive
            and leg.customer_account_id is not None
            and leg.charge_category
        ):
            return False
        total += cents
    return total == 0


def _check_customer_accounts(
    requests: Sequence[EntryRequest], problems: dict[str, str], *, lock: bool
) -> None:
    """With ``lock``, row-lock the customer accounts in id order (a slice at a time, still
    in order, so a fixed order cannot deadlock); refuse requests naming a missing one."""
    wanted = sorted(
        {
            leg.customer_account_id
            for r in requests
            for leg in r.legs
            if leg.customer_account_id is not None
        }
    )
    suffix = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    test, params = values_in(wanted, "bigint")
    sql = f"SELECT id FROM {Account._meta.db_table} WHERE id {test} ORDER BY id{suffix}"
    found = {row[0] for row in _select(sql, params)}
    missing = set(wanted) - found
    if not missing:
        return
    for request in requests:
        for leg in request.legs:
            if leg.customer_account_id in missing:
                message = UNKNOWN_CUSTOMER_ACCOUNT.format(account_id=leg.customer_account_id)
                problems.setdefault(request.idempotency_key, message)


def _check_periods(
    requests: Sequence[EntryRequest], problems: dict[str, str], *, lock: bool
) -> None:
    """Lock each month posted into (in date order) and refuse requests dated in a closed one.

    Closed months form an unbroken run ending on a month end, so every day of a month is
    open or closed together: one check per month is enough.
    """
    refused: dict[date, str] = {}
    for first in sorted({month_start(r.effective_date) for r in requests}):
        if lock:
            try:
                period_lock_open(first)
            except ServiceError as exc:
                refused[first] = exc.message
        else:
            message = period_closed_message(first)
            if message:
                refused[first] = message
    for request in requests:
        message = refused.get(month_start(request.effective_date))
        if message:
            problems.setdefault(
                request.idempotency_key,
                message.replace(
                    month_start(request.effective_date).isoformat(),
                    request.effective_date.isoformat(),
                ),
            )


def _existing_entries(keys: Sequence[str]) -> dict[str, tuple[int, str]]:
    """key -> (entry id, content hash) of the keys already posted."""
    test, params = values_in(sorted(set(keys)), "text")
    sql = (
        f"SELECT idempotency_key, id, content_hash FROM {JournalEntry._meta.db_table}"
        f" WHERE idempotency_key {test}"
    )
    return {key: (entry_id, content_hash) for key, entry_id, content_hash in _select(sql, params)}


def _select(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Every row of ``sql``: its values sent as one parameter (``bulk_sql.values_in``)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def _insert(plan: _Plan, actor: Any) -> dict[str, int]:
    """Insert the new entries, their postings (in leg order) and their audit rows."""
    recorded_at = timezone.now()
    now = prepared(JournalEntry, "recorded_at", recorded_at)
    actor_id = actor.pk if actor is not None else None
    if connection.vendor == "postgresql":
        ids = copy_new(plan.new, plan.ledger_ids, now, actor_id)
    else:
        ids = _insert_new(plan, now, recorded_at, actor_id)
    return {new.request.idempotency_key: i for new, i in zip(plan.new, ids, strict=True)}


def _insert_new(plan: _Plan, now: Any, recorded_at: datetime, actor_id: int | None) -> list[int]:
    """Not PostgreSQL: the rows as tuples (``insert_returning_ids``, ``insert_rows``,
    ``audit_record_many``)."""
    days: dict[date, Any] = {}
    for new in plan.new:
        if new.request.effective_date not in days:
            days[new.request.effective_date] = prepared(
                JournalEntry, "effective_date", new.request.effective_date
            )
    ids = insert_returning_ids(
        JournalEntry,
        ENTRY_COLUMNS,
        [
            (
                r.idempotency_key,
                content_hash,
                days[r.effective_date],
                now,
                r.source,
                r.source_ref,
                r.memo,
                actor_id,
                None,
            )
            for r, content_hash, *_texts in plan.new
        ],
    )
    insert_rows(Posting, POSTING_COLUMNS, _posting_rows(plan, ids, days))
    audit_record_many(_audit_rows(plan, ids, recorded_at, actor_id))
    return ids


def _posting_rows(plan: _Plan, ids: list[int], days: dict[date, Any]) -> Iterator[tuple[Any, ...]]:
    ledger_ids = plan.ledger_ids
    for new, entry_id in zip(plan.new, ids, strict=True):
        day = days[new.request.effective_date]
        for leg in new.request.legs:
            yield (
                entry_id,
                ledger_ids[leg.account_code],
                leg.amount_cents,
                leg.customer_account_id,
                leg.charge_category,
                day,
            )


def _audit_rows(
    plan: _Plan, ids: list[int], now: datetime, actor_id: int | None
) -> Iterator[AuditRow]:
    """What ``audit_record`` writes for ``journal_entry_post``: one event per customer
    account the entry touches (or one with none), the same ``after`` document."""
    subject = JournalEntry._meta.label
    for (r, _hash, after, *_values), entry_id in zip(plan.new, ids, strict=True):
        for account_id in audited_accounts(r):
            yield AuditRow(
                actor_id, "ledger.entry.post", subject, str(entry_id), account_id,
                None, after, r.memo, now,
            )  # fmt: skip
