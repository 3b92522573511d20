"""Posting entries whose legs the database sums: the set-based writer for bill runs.

``journal_entries_post_by_category`` posts one entry per source row (a bill, say) whose legs
are its lines summed by charge category: for each category with a non-zero sum, debit the
category's receivable for the customer account and credit its revenue (the shape of
``billing.domain.entries.bill_legs``). The caller describes the rows — one ``EntryHeader``
each, and a SELECT of their lines — and the database does the per-row work: the lines are
grouped by ``GROUP BY`` (once) and the postings written by one ``INSERT ... SELECT``. Python
reads one small row per (entry, category) to validate, to compute each entry's content hash
and audit document (from one template per shape of entry, ``bulk_text``), to write the entry
and audit rows and to hand back as the rows the postings are written from (what is written
is what was hashed), so a 100,000-bill run posts in seconds instead of building 100,000
``EntryRequest`` objects (docs/decisions/ledger.md "Set-based posting").

It comes in two steps, which that function runs back to back in one transaction: the *plan*
(``journal_entries_plan_by_category``: read the sums, work out every entry's texts; no lock,
no write) and the *post* (``journal_entries_post_plan``: every check against the database's
state, under its locks, then the writes). A caller may plan before its transaction, so that
on SQLite another process writes meanwhile, when it can vouch that the lines of the rows it
then posts have not changed since (bill runs: a bill's lines are written with it and never
changed; billing/posting.py).

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

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent
from cistern.customers.models import Account
from cistern.ledger.bulk_sql import (
    COPY_PART_ROWS,
    copy_field,
    copy_text,
    prepared,
    quoted_names,
    reserve_ids,
    rows_relation,
    values_in,
)
from cistern.ledger.bulk_text import Shape, check_texts, entry_texts, is_plain, shape_of
from cistern.ledger.domain.entries import EntryRejected, Leg, validate_legs
from cistern.ledger.models import JournalEntry, LedgerAccount, Posting
from cistern.ledger.period_services import period_lock_open
from cistern.ledger.services import (
    _LIMITS,
    FIELD_TOO_LONG,
    KEY_MISSING,
    KEY_REUSED,
    SOURCE_MISSING,
    UNKNOWN_CUSTOMER_ACCOUNT,
)

CATEGORY_UNMAPPED = (
    "Charge category “{category}” has no receivable and revenue account. "
    "Correct the line's category or add the category to the chart's category map."
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


@dataclass
class SetResult:
    """``entry_ids``: ref -> entry (posted now or replayed); ``refused``: ref -> reason.
    A ref in neither had no non-zero category: nothing to post."""

    entry_ids: dict[int, int] = field(default_factory=dict)
    refused: dict[int, str] = field(default_factory=dict)
    created: int = 0
    replayed: int = 0


class _Planned(NamedTuple):
    header: EntryHeader
    shape: Shape  # its categories, in order, and their accounts
    amounts: tuple[int, ...]  # each category's sum (cents), in the shape's order
    content_hash: str
    after: str  # the audit event's ``after`` document, as JSON text
    plain: bool  # key, reference, memo and texts need no escaping (JSON nor COPY)


@dataclass(frozen=True)
class CategoryPlan:
    """A batch worked out from its lines, before any check against the database's state.

    ``headers``: the headers fit to post, in batch order; ``entries``: ref -> the entry of
    each with a non-zero category; ``refused``: ref -> the header's problem.
    """

    batch: CategoryBatch
    headers: list[EntryHeader]
    entries: dict[int, _Planned]
    refused: dict[int, str]

    @property
    def refs(self) -> set[int]:
        """Every ref the plan has a verdict or an entry (or nothing to post) for."""
        return {h.ref_id for h in self.headers} | set(self.refused)


def journal_entries_post_by_category(*, batch: CategoryBatch, actor: Any) -> SetResult:
    """Post the batch's entries in one transaction; refused ones are returned, not written."""
    with transaction.atomic():
        plan = journal_entries_plan_by_category(batch=batch)
        return journal_entries_post_plan(plan=plan, actor=actor)


def journal_entries_plan_by_category(*, batch: CategoryBatch) -> CategoryPlan:
    """Read the batch's sums and work out its entries (texts included); writes nothing.

    Raises ``ServiceError`` for a missing or too long source, as the single path does."""
    refused: dict[int, str] = {}
    headers = _unique_headers(batch, refused)
    sums = _category_sums(batch) if headers else {}
    entries: dict[int, _Planned] = {}
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
            entries[header.ref_id] = _Planned(header, shape, amounts, "", "", False)
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
        entries[header.ref_id] = _Planned(
            header, shape, amounts, *texts, plain and shape.hash_template is not None
        )
    return CategoryPlan(batch, headers, entries, refused)


def journal_entries_post_plan(
    *, plan: CategoryPlan, actor: Any, refs: Collection[int] | None = None
) -> SetResult:
    """Post the plan's entries (only those of ``refs``, if given) in one transaction.

    Everything that depends on the database's state is decided here, under the locks:
    customer accounts, periods, the chart, keys already used. The plan's sums are posted as
    they were read: a caller that planned before its transaction vouches for them. Refs the
    plan does not know are ignored (plan them first)."""
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
            _insert(batch, new, chart, actor, result)
    return result


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


def _shape(batch: CategoryBatch, categories: tuple[str, ...]) -> Shape:
    return shape_of(
        batch.source, categories, batch.receivable_for_category, batch.revenue_for_category
    )


def _refuse_bad_categories(
    batch: CategoryBatch,
    planned: list[_Planned],
    chart: dict[str, LedgerAccount],
    result: SetResult,
) -> list[_Planned]:
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


_ENTRY_COLUMNS = (
    "idempotency_key", "content_hash", "effective_date", "recorded_at", "source",
    "source_ref", "memo", "actor", "reverses",
)  # fmt: skip
_AUDIT_COLUMNS = (
    "occurred_at", "actor", "action", "subject_type", "subject_id", "account_id", "before",
    "after", "reason",
)  # fmt: skip
_AUDIT_ACTION = "ledger.entry.post"


def _insert(
    batch: CategoryBatch,
    new: list[_Planned],
    chart: dict[str, LedgerAccount],
    actor: Any,
    result: SetResult,
) -> None:
    """Entries, their postings (one INSERT ... SELECT) and audit rows."""
    now = prepared(JournalEntry, "recorded_at", timezone.now())
    actor_id = actor.pk if actor is not None else None
    if connection.vendor == "postgresql":
        ids = _copy_entries(batch, new, now, actor_id)
    else:
        ids = _insert_entries_sqlite(batch, new, now, actor_id)
    _insert_postings(batch, new, ids, chart)
    if connection.vendor == "postgresql":
        _copy_audit(new, ids, now, actor_id)
    else:
        _insert_audit_sqlite(new, now, actor_id)
    for entry, entry_id in zip(new, ids, strict=True):
        result.entry_ids[entry.header.ref_id] = entry_id
    result.created += len(ids)


def _copy_entries(batch: CategoryBatch, new: list[_Planned], now: Any, actor: Any) -> list[int]:
    """PostgreSQL: ids from the sequence, then ``COPY`` of the entries rendered as text, one
    format per row (psycopg's formatting of each value cost more than the database's work)."""
    ids = reserve_ids(JournalEntry, len(new))
    fixed = f"\t{copy_field(now)}\t{copy_field(batch.source)}"
    tail = f"\t{copy_field(actor)}\t\\N\n"
    days: dict[date, str] = {}

    def row(entry: _Planned, entry_id: int) -> str:
        header = entry.header
        day = days.get(header.effective_date) or days.setdefault(
            header.effective_date, copy_field(header.effective_date.isoformat())
        )
        if entry.plain:  # nothing to escape
            key, ref, memo = header.idempotency_key, header.source_ref, header.memo
        else:
            key, ref = copy_field(header.idempotency_key), copy_field(header.source_ref)
            memo = copy_field(header.memo)
        return f"{entry_id}\t{key}\t{entry.content_hash}\t{day}{fixed}\t{ref}\t{memo}{tail}"

    copy_text(JournalEntry, ("id", *_ENTRY_COLUMNS), _parts(new, ids, row))
    return ids


def _copy_audit(new: list[_Planned], ids: list[int], now: Any, actor: Any) -> None:
    """PostgreSQL: ``COPY`` of the audit rows as text (one event per entry: its legs name
    one customer account)."""
    subject = JournalEntry._meta.label
    fixed = "\t".join(copy_field(v) for v in (now, actor, _AUDIT_ACTION, subject))

    def row(entry: _Planned, entry_id: int) -> str:
        after, memo = entry.after, entry.header.memo
        if not entry.plain:
            after, memo = copy_field(after), copy_field(memo)
        customer = entry.header.customer_account_id
        return f"{fixed}\t{entry_id}\t{customer}\t{{}}\t{after}\t{memo}\n"

    copy_text(AuditEvent, _AUDIT_COLUMNS, _parts(new, ids, row))


def _parts(
    new: list[_Planned], ids: list[int], row: Callable[[_Planned, int], str]
) -> Iterator[str]:
    """``COPY`` text of the entries' rows, ``COPY_PART_ROWS`` rows at a time."""
    for start in range(0, len(new), COPY_PART_ROWS):
        stop = start + COPY_PART_ROWS
        yield "".join(map(row, new[start:stop], ids[start:stop]))


# SQLite scratch table of a batch's new entries (per connection, emptied after use): what
# differs from entry to entry is bound once into it, for both the entries' and the audit
# rows' ``INSERT ... SELECT`` (binding every column of both, per row, cost more).
_ENTRY_ROWS = "cistern_entry_rows"


def _insert_entries_sqlite(
    batch: CategoryBatch, new: list[_Planned], now: Any, actor: Any
) -> list[int]:
    """SQLite: the new entries' varying values into the scratch table, then one ``INSERT
    ... SELECT`` of the entries; their ids come back by key."""
    days: dict[date, Any] = {}
    rows = []
    for position, entry in enumerate(new):
        header = entry.header
        day = days.get(header.effective_date) or days.setdefault(
            header.effective_date, prepared(JournalEntry, "effective_date", header.effective_date)
        )
        rows.append(
            (position, header.idempotency_key, entry.content_hash, day, header.source_ref,
             header.memo, header.customer_account_id, entry.after)
        )  # fmt: skip
    table, names = quoted_names(JournalEntry, _ENTRY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_ENTRY_ROWS} (position INTEGER PRIMARY KEY,"
            " key, hash, day, source_ref, memo, customer, after)"
        )
        cursor.execute(f"DELETE FROM {_ENTRY_ROWS}")  # empty, unless a write failed midway
        cursor.executemany(
            f"INSERT INTO {_ENTRY_ROWS} VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows
        )
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT key, hash, day, %s, %s, source_ref, memo,"
            f" %s, NULL FROM {_ENTRY_ROWS} ORDER BY position RETURNING id, idempotency_key",
            [now, batch.source, actor],
        )
        by_key = {key: entry_id for entry_id, key in cursor.fetchall()}
    if len(by_key) != len(new):
        raise RuntimeError(f"inserted {len(new)} entries but got {len(by_key)} ids")
    return [by_key[entry.header.idempotency_key] for entry in new]


def _insert_audit_sqlite(new: list[_Planned], now: Any, actor: Any) -> None:
    """SQLite: the audit rows by one ``INSERT ... SELECT`` from the scratch table (joined to
    the entries just written by key), which it then empties."""
    table, names = quoted_names(AuditEvent, _AUDIT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT %s, %s, %s, %s, CAST(e.id AS TEXT),"
            f" s.customer, '{{}}', s.after, s.memo FROM {_ENTRY_ROWS} s"
            f" JOIN {JournalEntry._meta.db_table} e ON e.idempotency_key = s.key"
            " ORDER BY s.position",
            [now, actor, _AUDIT_ACTION, JournalEntry._meta.label],
        )
        written = cursor.rowcount
        cursor.execute(f"DELETE FROM {_ENTRY_ROWS}")
    if written != len(new):
        raise RuntimeError(f"wrote {written} audit rows, expected {len(new)}")


def _insert_postings(
    batch: CategoryBatch, new: list[_Planned], ids: list[int], chart: dict[str, LedgerAccount]
) -> None:
    """Every posting of the batch in ONE statement, in entry then leg order.

    The rows are the category sums the hashes were computed from, sent back as one relation
    (one row per entry and category; the database writes each as its two legs): what is
    written is what was hashed, and the lines are not grouped a second time."""
    sums: list[tuple[int, int, int, str, str, int]] = []
    days: dict[date, str] = {}
    for entry, entry_id in zip(new, ids, strict=True):
        header = entry.header
        day = days.get(header.effective_date) or days.setdefault(
            header.effective_date, header.effective_date.isoformat()
        )
        customer = header.customer_account_id
        for category, cents in zip(entry.shape.categories, entry.amounts, strict=True):
            sums.append((len(sums), entry_id, customer, day, category, cents))
    rows, row_params = rows_relation(
        ("position", "entry_id", "customer_id", "day", "category", "cents"),
        ("bigint", "bigint", "bigint", "date", "text", "bigint"),
        sums,
    )
    categories = sorted({row[4] for row in sums})
    accounts, account_params = rows_relation(
        ("category", "receivable_id", "revenue_id"),
        ("text", "bigint", "bigint"),
        [(c, chart[batch.receivable_for_category[c]].pk,
          chart[batch.revenue_for_category[c]].pk) for c in categories],
    )  # fmt: skip
    table = Posting._meta.db_table
    # Both relations are materialized first: SQLite then joins the sums to the accounts
    # through an automatic index instead of re-reading json_each for every row.
    # (The WITH goes after INSERT INTO: SQLite's driver reports no rowcount otherwise.)
    sql = (
        f"INSERT INTO {table} (entry_id, ledger_account_id, amount_cents, customer_account_id,"
        " charge_category, effective_date)"
        f" WITH g AS MATERIALIZED ({rows}), m AS MATERIALIZED ({accounts})"
        " SELECT g.entry_id,"
        " CASE WHEN s.side = 0 THEN m.receivable_id ELSE m.revenue_id END,"
        " CASE WHEN s.side = 0 THEN g.cents ELSE -g.cents END,"
        " CASE WHEN s.side = 0 THEN g.customer_id END,"
        " CASE WHEN s.side = 0 THEN g.category ELSE '' END,"
        " g.day"
        " FROM g JOIN m ON m.category = g.category"
        " CROSS JOIN (SELECT 0 AS side UNION ALL SELECT 1 AS side) s"
        " ORDER BY g.position, s.side"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*row_params, *account_params])
        expected = 2 * len(sums)
        if cursor.rowcount != expected:
            raise RuntimeError(f"wrote {cursor.rowcount} postings, expected {expected}")
