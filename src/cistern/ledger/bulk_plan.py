"""The plan of a set-based post: a batch's entries worked out from its lines, unwritten.

The first of ``bulk_set``'s two steps (the second, the post, is ``bulk_set``'s
``journal_entries_post_plan``). ``journal_entries_plan_by_category`` reads the batch's lines
summed by the database (``GROUP BY`` ref and category, once), checks each header as the
single path does, and works out every entry's content hash and audit document from one
template per shape of entry (``bulk_text``). It takes no lock and writes nothing, so a
caller may plan before its transaction — on SQLite another process writes meanwhile — when
it can vouch that the lines of the rows it then posts have not changed since (bill runs: a
bill's lines are written with it and never changed; billing/posting.py). Everything that
depends on the database's state (customer accounts, periods, the chart, keys already used)
is left to the post, which decides it under its locks.

The sums read here are what the post writes as postings (what is written is what was
hashed): the lines are not grouped a second time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple
from uuid import uuid4

from django.db import connection

from cistern.core.errors import ServiceError
from cistern.ledger.bulk_text import Shape, check_texts, entry_texts, is_plain, shape_of
from cistern.ledger.services import (
    _LIMITS,
    FIELD_TOO_LONG,
    KEY_MISSING,
    KEY_REUSED,
    SOURCE_MISSING,
)


class EntryHeader(NamedTuple):
    """One entry to post: ``ref_id`` is the source row (bill id) its lines belong to."""

    ref_id: int
    idempotency_key: str
    effective_date: date
    customer_account_id: int
    source_ref: str = ""
    memo: str = ""


@dataclass(frozen=True)
class CategoryBatch:
    """Entries to post, and where the database finds their lines.

    ``lines_sql`` (with ``lines_params``) selects ``ref_id, category, amount_cents, seq``
    for the headers' rows (more rows are ignored); legs come out in the order of each
    category's first line by ``seq``, receivable before revenue, as ``bill_legs`` makes them.
    """

    source: str
    headers: Sequence[EntryHeader]
    lines_sql: str
    lines_params: Sequence[Any]
    receivable_for_category: Mapping[str, str]
    revenue_for_category: Mapping[str, str]


class PlannedEntry(NamedTuple):
    """An entry worked out from its sums, as it will be written."""

    header: EntryHeader
    shape: Shape  # its categories, in order, and their accounts
    amounts: tuple[int, ...]  # each category's sum (cents, never 0), in the shape's order
    content_hash: str
    after: str  # the audit event's ``after`` document, as JSON text
    plain: bool  # key, reference, memo and texts need no escaping (JSON nor COPY)


@dataclass(frozen=True)
class CategoryPlan:
    """A batch worked out from its lines, before any check against the database's state.

    ``headers``: the headers fit to post, in batch order; ``entries``: ref -> the entry of
    each with a non-zero category; ``refused``: ref -> the header's problem. ``token``:
    this plan's own, to know its rows staged on SQLite from any other's (``bulk_stage``).
    """

    batch: CategoryBatch
    headers: list[EntryHeader]
    entries: dict[int, PlannedEntry]
    refused: dict[int, str]
    token: str = field(default_factory=lambda: uuid4().hex, init=False, compare=False, repr=False)

    @property
    def refs(self) -> set[int]:
        """Every ref the plan has a verdict or an entry (or nothing to post) for."""
        return {h.ref_id for h in self.headers} | set(self.refused)


def journal_entries_plan_by_category(*, batch: CategoryBatch) -> CategoryPlan:
    """Read the batch's sums and work out its entries (texts included); writes nothing.

    Raises ``ServiceError`` for a missing or too long source, as the single path does."""
    refused: dict[int, str] = {}
    headers = _unique_headers(batch, refused)
    sums = _category_sums(batch) if headers else {}
    entries: dict[int, PlannedEntry] = {}
    shapes: dict[tuple[str, ...], Shape] = {}
    checked: set[tuple[str, ...]] = set()
    days: dict[date, str] = {}
    plain_memos: dict[str, bool] = {}
    for header in headers:
        found = sums.get(header.ref_id)
        if found is None:
            continue  # nothing to post
        categories, amounts = tuple(found[0]), tuple(found[1])
        shape = shapes.get(categories) or shapes.setdefault(categories, _shape(batch, categories))
        if not shape.legs:  # a category without accounts: refused when posted
            entries[header.ref_id] = PlannedEntry(header, shape, amounts, "", "", False)
            continue
        memo = header.memo
        plain = plain_memos.get(memo)
        if plain is None:
            plain = plain_memos[memo] = is_plain(memo)
        plain = plain and is_plain(header.idempotency_key + header.source_ref)
        day = days.get(header.effective_date) or days.setdefault(
            header.effective_date, header.effective_date.isoformat()
        )
        texts = entry_texts(shape, header, amounts, plain=plain, day=day)
        if plain and shape.hash_template is not None and categories not in checked:
            check_texts(shape, header, amounts, texts)
            checked.add(categories)
        entries[header.ref_id] = PlannedEntry(
            header, shape, amounts, *texts, plain and shape.hash_template is not None
        )
    return CategoryPlan(batch, headers, entries, refused)


def _unique_headers(batch: CategoryBatch, refused: dict[int, str]) -> list[EntryHeader]:
    """The headers fit to post; header problems (the single path's checks) go to refused."""
    source = batch.source
    if not source or not source.strip():
        raise ServiceError(SOURCE_MISSING, field="source")
    if len(source) > _LIMITS["source"]:
        raise ServiceError(FIELD_TOO_LONG.format(field="source", limit=_LIMITS["source"]))
    headers: list[EntryHeader] = []
    keys: set[str] = set()
    for header in batch.headers:
        problem = _header_problem(header)
        if problem is None and header.idempotency_key in keys:
            problem = KEY_REUSED.format(key=header.idempotency_key, entry_id="(this batch)")
        if problem is not None:
            refused[header.ref_id] = problem
            continue
        keys.add(header.idempotency_key)
        headers.append(header)
    return headers


def _header_problem(header: EntryHeader) -> str | None:
    key = header.idempotency_key
    if (
        len(key) <= _LIMITS["idempotency_key"]
        and len(header.source_ref) <= _LIMITS["source_ref"]
        and len(header.memo) <= _LIMITS["memo"]
        and key.strip()
    ):
        return None  # the usual case, in one test
    if not key or not key.strip():
        return KEY_MISSING
    for name in ("idempotency_key", "source_ref", "memo"):
        if len(getattr(header, name)) > _LIMITS[name]:
            return FIELD_TOO_LONG.format(field=name.replace("_", " "), limit=_LIMITS[name])
    return None


def _category_sums(batch: CategoryBatch) -> dict[int, tuple[list[str], list[int]]]:
    """ref -> ([category], [cents]) of the non-zero sums, in the order of each first line."""
    grouped = (
        "SELECT l.ref_id, l.category, SUM(l.amount_cents) AS cents, MIN(l.seq) AS first_seq"
        f" FROM ({batch.lines_sql}) l GROUP BY l.ref_id, l.category"
    )
    sql = f"SELECT ref_id, category, CAST(cents AS bigint) FROM ({grouped}) g"
    sql += " WHERE cents <> 0 ORDER BY ref_id, first_seq"
    sums: dict[int, tuple[list[str], list[int]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, list(batch.lines_params))
        rows = cursor.fetchall()
    for ref_id, category, cents in rows:
        found = sums.get(ref_id)
        if found is None:
            sums[ref_id] = ([category], [int(cents)])
        else:
            found[0].append(category)
            found[1].append(int(cents))
    return sums


def _shape(batch: CategoryBatch, categories: tuple[str, ...]) -> Shape:
    return shape_of(
        batch.source, categories, batch.receivable_for_category, batch.revenue_for_category
    )
