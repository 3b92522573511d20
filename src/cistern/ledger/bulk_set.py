"""Posting entries whose legs the database sums: the set-based writer for bill runs.

``journal_entries_post_by_category`` posts one entry per source row (a bill, say) whose legs
are its lines summed by charge category: for each category with a non-zero sum, debit the
category's receivable for the customer account and credit its revenue (the shape of
``billing.domain.entries.bill_legs``). The caller describes the rows — one ``EntryHeader``
each, and a SELECT of their lines — and the database groups the lines (``GROUP BY``,
once). Python reads one small row per (entry, category) to validate, to compute each
entry's content hash and audit document (from one template per shape of entry,
``bulk_text``), and writes the entries, postings and audit rows from those sums (what is
written is what was hashed) in a few statements (``bulk_write``; all the postings by one, a
``COPY`` on PostgreSQL and an ``INSERT ... SELECT`` on SQLite). So a 100,000-bill run posts
in seconds instead of building 100,000 ``EntryRequest`` objects (docs/decisions/ledger.md
"Set-based posting").

It comes in two steps, which that function runs back to back in one transaction: the *plan*
(``bulk_plan.journal_entries_plan_by_category``: read the sums, work out every entry's
texts; no lock, no write; a caller may plan before its transaction) and the *post*
(``journal_entries_post_plan``, here: every check against the database's state, under its
locks, then the writes). On SQLite a caller that plans before its transaction stages the
plan there too (``bulk_stage.journal_entries_stage_plan``: its entries bound into temporary
scratch tables, no lock), and the post writes from them. The plan's and the staging's names
are importable from here too.

It writes exactly the rows ``journal_entry_post`` writes for the same legs, and keeps its
invariants:

- I1: a leg is never zero (zero sums are left out), each category's legs are one debit and
  its negation, and the legs are checked by ``validate_legs`` (known, active accounts; a
  receivable leg names the customer account and category). All postings of a batch go in by
  ONE statement, so a statement-level or a deferred per-entry balance trigger sees them whole.
- I5: key already posted with the same content hash = a replay (nothing written, the entry
  returned); with different content = refused. ``content_hash`` is computed from the grouped
  sums exactly as ``entry_content_hash`` does (``bulk_text``: checked against it on the first
  entry of every shape of every batch, and by tests).
- I9: every day posted into is locked (``period_lock_open``, in date order) and must be open.
- Locks: the customer accounts are row-locked in id order before anything is written.
- Audit: one ``ledger.entry.post`` event per entry per customer account, same ``after``
  document and reason as the single path, in the same transaction.

Unlike ``journal_entries_post_bulk`` (all or nothing), a refused entry is returned with its
reason and the rest posts: every verdict is reached under the locks before anything is
written, so the batch is never half-written, and a bill run must set refused bills aside
anyway. Callers link their rows to the entries with the keys (or ``entry_ids``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction

from cistern.core.errors import ServiceError
from cistern.customers.models import Account
from cistern.ledger.bulk_plan import (
    CategoryBatch,
    CategoryPlan,
    EntryHeader,
    PlannedEntry,
    journal_entries_plan_by_category,
)
from cistern.ledger.bulk_sql import values_in
from cistern.ledger.bulk_stage import journal_entries_stage_plan
from cistern.ledger.bulk_write import entries_write
from cistern.ledger.domain.entries import EntryRejected, Leg, validate_legs
from cistern.ledger.models import JournalEntry, LedgerAccount
from cistern.ledger.period_services import period_lock_open
from cistern.ledger.services import KEY_REUSED, UNKNOWN_CUSTOMER_ACCOUNT

__all__ = [  # the plan's names too: callers import the set-based writer from here
    "CATEGORY_UNMAPPED",
    "CategoryBatch",
    "CategoryPlan",
    "EntryHeader",
    "SetResult",
    "journal_entries_plan_by_category",
    "journal_entries_post_by_category",
    "journal_entries_post_plan",
    "journal_entries_stage_plan",
]

CATEGORY_UNMAPPED = (
    "Charge category “{category}” has no receivable and revenue account. "
    "Correct the line's category or add the category to the chart's category map."
)


@dataclass
class SetResult:
    """``entry_ids``: ref -> entry (posted now or replayed); ``refused``: ref -> reason.
    A ref in neither had no non-zero category: nothing to post."""

    entry_ids: dict[int, int] = field(default_factory=dict)
    refused: dict[int, str] = field(default_factory=dict)
    created: int = 0
    replayed: int = 0


def journal_entries_post_by_category(*, batch: CategoryBatch, actor: Any) -> SetResult:
    """Post the batch's entries in one transaction; refused ones are returned, not written."""
    with transaction.atomic():
        plan = journal_entries_plan_by_category(batch=batch)
        return journal_entries_post_plan(plan=plan, actor=actor)


def journal_entries_post_plan(
    *, plan: CategoryPlan, actor: Any, refs: Collection[int] | None = None
) -> SetResult:
    """Post the plan's entries (only those of ``refs``, if given) in one transaction.

    Everything that depends on the database's state is decided here, under the locks:
    customer accounts, periods, the chart, keys already used. The plan's sums are posted as
    they were read: a caller that planned before its transaction vouches for them. Refs the
    plan does not know are ignored (plan them first). On SQLite the new entries are written
    from the plan's staged rows if it was staged, else staged here first (``bulk_stage``)."""
    actor = actor if getattr(actor, "pk", None) else None
    wanted = plan.refs if refs is None else set(refs)
    result = SetResult()
    result.refused = {ref: why for ref, why in plan.refused.items() if ref in wanted}
    headers = [h for h in plan.headers if h.ref_id in wanted]
    if not headers:
        return result
    batch = plan.batch
    with transaction.atomic():
        chart = {a.code: a for a in LedgerAccount.objects.all()}
        _lock_customer_accounts(headers, result)
        _lock_periods(headers, result)
        planned = [
            plan.entries[h.ref_id]
            for h in headers
            if h.ref_id in plan.entries and h.ref_id not in result.refused
        ]
        planned = _refuse_bad_categories(batch, planned, chart, result)
        existing = _existing_entries([p.header.idempotency_key for p in planned])
        new = []
        for entry in planned:
            found = existing.get(entry.header.idempotency_key)
            if found is None:
                new.append(entry)
            elif found[1] == entry.content_hash:
                result.entry_ids[entry.header.ref_id] = found[0]
                result.replayed += 1
            else:
                key = entry.header.idempotency_key
                result.refused[entry.header.ref_id] = KEY_REUSED.format(key=key, entry_id=found[0])
        if new:
            ids = entries_write(plan=plan, new=new, chart=chart, actor=actor)
            for entry, entry_id in zip(new, ids, strict=True):
                result.entry_ids[entry.header.ref_id] = entry_id
            result.created += len(ids)
    return result


def _lock_customer_accounts(headers: list[EntryHeader], result: SetResult) -> None:
    """Row-lock the customer accounts in id order; refuse entries naming a missing one."""
    wanted = sorted({h.customer_account_id for h in headers})
    suffix = " FOR UPDATE" if connection.features.has_select_for_update else ""
    in_, params = values_in(wanted, "bigint")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Account._meta.db_table} WHERE id {in_} ORDER BY id{suffix}", params
        )
        found = {row[0] for row in cursor.fetchall()}
    for header in headers:
        if header.customer_account_id not in found:
            message = UNKNOWN_CUSTOMER_ACCOUNT.format(account_id=header.customer_account_id)
            result.refused.setdefault(header.ref_id, message)


def _lock_periods(headers: list[EntryHeader], result: SetResult) -> None:
    """Lock the period of every day posted into (in date order); refuse closed days."""
    closed: dict[date, str] = {}
    for day in sorted({h.effective_date for h in headers}):
        try:
            period_lock_open(day)
        except ServiceError as exc:
            closed[day] = exc.message
    for header in headers:
        if header.effective_date in closed:
            result.refused.setdefault(header.ref_id, closed[header.effective_date])


def _existing_entries(keys: list[str]) -> dict[str, tuple[int, str]]:
    if not keys:
        return {}
    in_, params = values_in(keys, "text")
    sql = (
        f"SELECT idempotency_key, id, content_hash FROM {JournalEntry._meta.db_table}"
        f" WHERE idempotency_key {in_}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key: (entry_id, h) for key, entry_id, h in cursor.fetchall()}


def _refuse_bad_categories(
    batch: CategoryBatch,
    planned: list[PlannedEntry],
    chart: dict[str, LedgerAccount],
    result: SetResult,
) -> list[PlannedEntry]:
    """The entries whose categories may post; the rest go to refused (their first bad
    category's reason). Each category is checked once a batch, each shape once."""
    by_category: dict[str, str | None] = {}
    by_shape: dict[tuple[str, ...], str | None] = {}
    fit = []
    for entry in planned:
        categories = entry.shape.categories
        if categories not in by_shape:
            problem = None
            for category in categories:
                if category not in by_category:
                    by_category[category] = _category_problem(batch, category, chart)
                problem = problem or by_category[category]
            by_shape[categories] = problem
        problem = by_shape[categories]
        if problem:
            result.refused[entry.header.ref_id] = problem
        else:
            fit.append(entry)
    return fit


def _category_problem(
    batch: CategoryBatch, category: str, chart: dict[str, LedgerAccount]
) -> str | None:
    """Why a category's two legs cannot post (checked as the single path checks legs)."""
    receivable = batch.receivable_for_category.get(category, "")
    revenue = batch.revenue_for_category.get(category, "")
    if not receivable or not revenue:
        return CATEGORY_UNMAPPED.format(category=category)
    try:  # one customer account stands for all: the checks only ask that there is one
        validate_legs(
            [Leg(receivable, 1, 1, category), Leg(revenue, -1)],
            known_codes=chart.keys(),
            inactive_codes={c for c, a in chart.items() if not a.active},
            receivable_codes={c for c, a in chart.items() if a.is_receivable},
        )
    except EntryRejected as exc:
        return exc.message
    return None
