"""Posting entries whose legs the database sums: the set-based writer for bill runs.

``journal_entries_post_by_category`` posts one entry per source row (a bill, say) whose legs
are its lines summed by charge category: for each category with a non-zero sum, debit the
category's receivable for the customer account and credit its revenue (the shape of
``billing.domain.entries.bill_legs``). The caller describes the rows — one ``EntryHeader``
each, and a SELECT of their lines — and the database does the per-row work: the lines are
grouped by ``GROUP BY`` (once) and the postings written by one ``INSERT ... SELECT``. Python
reads one small row per (entry, category) to validate, to compute each entry's content hash,
to write the entry and audit rows and to hand back as the rows the postings are written
from (what is written is what was hashed), so a 100,000-bill run posts in seconds instead of
building 100,000 ``EntryRequest`` objects (docs/decisions/ledger.md "Set-based posting").

It writes exactly the rows ``journal_entry_post`` writes for the same legs, and keeps its
invariants:

- I1: a leg is never zero (zero sums are left out), each category's legs are one debit and
  its negation, and the legs are checked by ``validate_legs`` (known, active accounts; a
  receivable leg names the customer account and category). All postings of a batch go in by
  ONE statement, so a statement-level or a deferred per-entry balance trigger sees them whole.
- I5: key already posted with the same content hash = a replay (nothing written, the entry
  returned); with different content = refused. ``content_hash`` is computed from the grouped
  sums exactly as ``entry_content_hash`` does (checked against it on the first entry of
  every batch, and by tests).
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

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent
from cistern.customers.models import Account
from cistern.ledger.bulk_sql import insert_returning_ids, insert_rows, prepared
from cistern.ledger.domain.entries import EntryRejected, Leg, entry_content_hash, validate_legs
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
    legs: list[tuple[str, int, int | None, str]]  # (code, cents, customer account, category)
    content_hash: str
    plain: bool  # every string is plain: the fast formatters apply


def journal_entries_post_by_category(*, batch: CategoryBatch, actor: Any) -> SetResult:
    """Post the batch's entries in one transaction; refused ones are returned, not written."""
    actor = actor if getattr(actor, "pk", None) else None
    result = SetResult()
    headers = _unique_headers(batch, result)
    if not headers:
        return result
    with transaction.atomic():
        chart = {a.code: a for a in LedgerAccount.objects.all()}
        _lock_customer_accounts(headers, result)
        _lock_periods(headers, result)
        sums = _category_sums(batch)
        existing = _existing_entries([h.idempotency_key for h in headers])
        plans = _plan(batch, headers, sums, chart, result)
        new = []
        for plan in plans:
            found = existing.get(plan.header.idempotency_key)
            if found is None:
                new.append(plan)
            elif found[1] == plan.content_hash:
                result.entry_ids[plan.header.ref_id] = found[0]
                result.replayed += 1
            else:
                key = plan.header.idempotency_key
                result.refused[plan.header.ref_id] = KEY_REUSED.format(key=key, entry_id=found[0])
        if new:
            _insert(batch, new, chart, actor, result)
    return result


def _unique_headers(batch: CategoryBatch, result: SetResult) -> list[EntryHeader]:
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
            result.refused[header.ref_id] = problem
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


def _grouped_sql(batch: CategoryBatch) -> str:
    return (
        "SELECT l.ref_id, l.category, SUM(l.amount_cents) AS cents, MIN(l.seq) AS first_seq"
        f" FROM ({batch.lines_sql}) l GROUP BY l.ref_id, l.category"
    )


def _category_sums(batch: CategoryBatch) -> dict[int, list[tuple[str, int]]]:
    """ref -> [(category, cents)] with non-zero sums, in the order of each first line."""
    sql = f"SELECT ref_id, category, cents FROM ({_grouped_sql(batch)}) g"
    sql += " WHERE cents <> 0 ORDER BY ref_id, first_seq"
    sums: dict[int, list[tuple[str, int]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, list(batch.lines_params))
        for ref_id, category, cents in cursor.fetchall():
            sums.setdefault(ref_id, []).append((category, int(cents)))
    return sums


def _existing_entries(keys: list[str]) -> dict[str, tuple[int, str]]:
    in_, params = values_in(keys, "text")
    sql = (
        f"SELECT idempotency_key, id, content_hash FROM {JournalEntry._meta.db_table}"
        f" WHERE idempotency_key {in_}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key: (entry_id, h) for key, entry_id, h in cursor.fetchall()}


def _plan(
    batch: CategoryBatch,
    headers: list[EntryHeader],
    sums: dict[int, list[tuple[str, int]]],
    chart: dict[str, LedgerAccount],
    result: SetResult,
) -> list[_Planned]:
    """Legs and content hash of every entry not yet refused and with something to post."""
    known: dict[str, _CategoryLegs] = {}  # each category checked once a batch
    source_plain = _is_plain(batch.source)
    refused = result.refused
    plans: list[_Planned] = []
    for header in headers:
        ref, customer = header.ref_id, header.customer_account_id
        if ref in refused or ref not in sums:
            continue
        legs: list[tuple[str, int, int | None, str]] = []
        problem = None
        plain = source_plain
        for category, cents in sums[ref]:
            about = known.get(category) or known.setdefault(
                category, _category_legs(batch, category, chart)
            )
            problem = problem or about.problem
            plain = plain and about.plain
            legs.append((about.receivable, cents, customer, category))
            legs.append((about.revenue, -cents, None, ""))
        if problem:
            refused[ref] = problem
            continue
        plain = plain and _is_plain(header.idempotency_key + header.source_ref + header.memo)
        plans.append(
            _Planned(header, legs, _content_hash(batch.source, header, legs, plain), plain)
        )
    first_plain = next((p for p in plans if p.plain), None)
    if first_plain is not None:
        _check_formatters(batch.source, first_plain)
    return plans


class _CategoryLegs(NamedTuple):
    receivable: str
    revenue: str
    problem: str | None  # why its legs cannot post, or None
    plain: bool  # the codes and the category need no JSON escaping


def _category_legs(
    batch: CategoryBatch, category: str, chart: dict[str, LedgerAccount]
) -> _CategoryLegs:
    """A category's two ledger accounts, checked as the single path checks its legs."""
    receivable = batch.receivable_for_category.get(category, "")
    revenue = batch.revenue_for_category.get(category, "")
    plain = _is_plain(category, receivable, revenue)
    if not receivable or not revenue:
        return _CategoryLegs(
            receivable, revenue, CATEGORY_UNMAPPED.format(category=category), plain
        )
    try:  # one customer account stands for all: the checks only ask that there is one
        validate_legs(
            [Leg(receivable, 1, 1, category), Leg(revenue, -1)],
            known_codes=chart.keys(),
            inactive_codes={c for c, a in chart.items() if not a.active},
            receivable_codes={c for c, a in chart.items() if a.is_receivable},
        )
    except EntryRejected as exc:
        return _CategoryLegs(receivable, revenue, exc.message, plain)
    return _CategoryLegs(receivable, revenue, None, plain)


def _is_plain(*values: str) -> bool:
    """Whether the fast formatters below may write these strings into JSON: printable ASCII
    without ``"`` or ``\\``, which json.dumps writes unchanged (anything else takes
    json.dumps: exact, slower). String methods, not a pattern: this runs for every entry."""
    return all(v.isascii() and v.isprintable() and '"' not in v and "\\" not in v for v in values)


@lru_cache(maxsize=1024)
def _leg_fragments(code: str, category: str) -> tuple[str, str, str, str]:
    """The JSON around a plain leg's amount and customer account: canonical (sorted keys,
    no spaces) head and middle, then the audit document's (``json.dumps``) head and middle.
    The canonical text ends with ``}``; the audit one with ``, "charge_category": ...}``."""
    return (
        f'{{"account":"{code}","amount_cents":',
        f',"charge_category":"{category}","customer_account_id":',
        f'{{"account": "{code}", "amount_cents": ',
        ', "customer_account_id": ',
    )


def _content_hash(source: str, header: EntryHeader, legs: list[tuple], plain: bool) -> str:
    """``entry_content_hash`` of the entry, formatted directly when every string is plain
    (several times faster than building Legs and calling json.dumps per leg).

    ``entry_content_hash`` sorts the legs by their ``json.dumps(sort_keys=True)`` text; for
    plain strings that order is the order of the canonical texts sorted here: the two
    differ only in the spaces after ``:`` and ``,``, and the first character where two legs
    differ lies in a value or just after it (a closing quote, ``,`` or ``}`` in both)."""
    if not plain:
        return entry_content_hash(
            legs=[Leg(*leg) for leg in legs], effective_date=header.effective_date,
            source=source, source_ref=header.source_ref, memo=header.memo,
        )  # fmt: skip
    texts = []
    for code, cents, customer, category in legs:
        head, middle, _h, _m = _leg_fragments(code, category)
        texts.append(f"{head}{cents}{middle}{'null' if customer is None else customer}}}")
    texts.sort()
    text = (
        f'{{"effective_date":"{header.effective_date.isoformat()}","legs":[{",".join(texts)}],'
        f'"memo":"{header.memo}","source":"{source}","source_ref":"{header.source_ref}"}}'
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _audit_after(source: str, header: EntryHeader, legs: list[tuple], plain: bool) -> str:
    """The ``after`` document ``audit_after`` gives the single path, as JSON text."""
    if not plain:
        return json.dumps(_after_document(source, header, legs))
    parts = []
    for code, cents, customer, category in legs:
        _h, _m, head, middle = _leg_fragments(code, category)
        who = "null" if customer is None else customer
        parts.append(f'{head}{cents}{middle}{who}, "charge_category": "{category}"}}')
    return (
        f'{{"idempotency_key": "{header.idempotency_key}", '
        f'"effective_date": "{header.effective_date.isoformat()}", "source": "{source}", '
        f'"source_ref": "{header.source_ref}", "memo": "{header.memo}", "reverses": null, '
        f'"legs": [{", ".join(parts)}]}}'
    )


def _after_document(source: str, header: EntryHeader, legs: list[tuple]) -> dict[str, Any]:
    return {
        "idempotency_key": header.idempotency_key,
        "effective_date": header.effective_date.isoformat(),
        "source": source,
        "source_ref": header.source_ref,
        "memo": header.memo,
        "reverses": None,
        "legs": [Leg(*leg).as_json() for leg in legs],
    }


def _check_formatters(source: str, plan: _Planned) -> None:
    """The fast formatters must agree with the single path's functions: checked on the
    first entry of every batch, so a change to either cannot silently fork the hashes."""
    header, legs = plan.header, plan.legs
    exact = entry_content_hash(
        legs=[Leg(*leg) for leg in legs], effective_date=header.effective_date,
        source=source, source_ref=header.source_ref, memo=header.memo,
    )  # fmt: skip
    after = json.loads(_audit_after(source, header, legs, plan.plain))
    if plan.content_hash != exact or after != _after_document(source, header, legs):
        raise RuntimeError("bulk_set formatters disagree with entry_content_hash/audit_after")


def _insert(
    batch: CategoryBatch,
    plans: list[_Planned],
    chart: dict[str, LedgerAccount],
    actor: Any,
    result: SetResult,
) -> None:
    """Entries (tuples), their postings (one INSERT ... SELECT) and audit rows (tuples)."""
    now = prepared(JournalEntry, "recorded_at", timezone.now())
    actor_id = actor.pk if actor is not None else None
    days = {p.header.effective_date for p in plans}
    day_values = {d: prepared(JournalEntry, "effective_date", d) for d in days}
    ids = insert_returning_ids(
        JournalEntry,
        ("idempotency_key", "content_hash", "effective_date", "recorded_at", "source",
         "source_ref", "memo", "actor", "reverses"),
        [(p.header.idempotency_key, p.content_hash, day_values[p.header.effective_date], now,
          batch.source, p.header.source_ref, p.header.memo, actor_id, None) for p in plans],
    )  # fmt: skip
    _insert_postings(batch, plans, ids, chart)
    subject = JournalEntry._meta.label
    insert_rows(
        AuditEvent,
        ("occurred_at", "actor", "action", "subject_type", "subject_id", "account_id",
         "before", "after", "reason"),
        ((now, actor_id, "ledger.entry.post", subject, str(entry_id),
          p.header.customer_account_id, "{}", _audit_after(batch.source, p.header, p.legs, p.plain),
          p.header.memo) for p, entry_id in zip(plans, ids, strict=True)),
    )  # fmt: skip
    for plan, entry_id in zip(plans, ids, strict=True):
        result.entry_ids[plan.header.ref_id] = entry_id
    result.created += len(ids)


def _insert_postings(
    batch: CategoryBatch, plans: list[_Planned], ids: list[int], chart: dict[str, LedgerAccount]
) -> None:
    """Every posting of the batch in ONE statement, in entry then leg order.

    The rows are the category sums the hashes were computed from, sent back as one relation
    (one row per entry and category; the database writes each as its two legs): what is
    written is what was hashed, and the lines are not grouped a second time."""
    sums: list[tuple[int, int, int, str, str, int]] = []
    days: dict[date, str] = {}
    for plan, entry_id in zip(plans, ids, strict=True):
        header = plan.header
        day = days.get(header.effective_date) or days.setdefault(
            header.effective_date, header.effective_date.isoformat()
        )
        for _code, cents, _customer, category in plan.legs[::2]:  # receivable legs
            sums.append((len(sums), entry_id, header.customer_account_id, day, category, cents))
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


def rows_relation(
    names: Sequence[str], pg_types: Sequence[str], rows: Sequence[tuple]
) -> tuple[str, list[Any]]:
    """``rows`` as a SELECT the database can join, sent as ONE JSON parameter (an array of
    arrays): ``json_array_elements`` on PostgreSQL, ``json_each`` on SQLite. JSON because
    the driver quotes a big array parameter in Python, slower than the query itself.
    On SQLite, materialize it (``WITH r AS MATERIALIZED``) before joining it."""
    data = json.dumps(rows, default=_iso_date)
    if connection.vendor == "postgresql":
        picks = ", ".join(
            f"(r.value->>{n})::{kind} AS {name}"
            for n, (name, kind) in enumerate(zip(names, pg_types, strict=True))
        )
        return f"SELECT {picks} FROM json_array_elements(%s::json) AS r(value)", [data]
    picks = ", ".join(f"json_extract(value, '$[{n}]') AS {name}" for n, name in enumerate(names))
    return f"SELECT {picks} FROM json_each(%s)", [data]


def values_in(values: Sequence[Any], pg_type: str) -> tuple[str, list[Any]]:
    """``IN (...)`` of many values as ONE JSON parameter: ``column {sql}``."""
    if connection.vendor == "postgresql":
        pick = f"SELECT v.value::{pg_type} FROM json_array_elements_text(%s::json) AS v(value)"
        return f"IN ({pick})", [json.dumps(values)]
    return "IN (SELECT value FROM json_each(%s))", [json.dumps(values)]


def _iso_date(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()  # as SQLite stores a DateField
    raise TypeError(f"{type(value).__name__} cannot go into a rows relation")
