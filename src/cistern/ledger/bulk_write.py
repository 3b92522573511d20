"""Writing a set-based post's new entries: entries, postings and audit rows, a few statements.

``bulk_set.journal_entries_post_plan`` decides, under its locks, which planned entries
(``bulk_plan``) are new and fit to post; ``entries_write`` writes them, exactly the rows
``journal_entry_post`` writes for the same legs. Each writer sends what the plan computed
(what is written is what was hashed): the postings are the plan's category sums, each as
its receivable leg (the sum, naming the customer account and category) then its revenue
leg (the sum negated), in entry order then the shape's category order — the single path's
leg order.

All postings of a batch go in by ONE statement, so the statement-level balance trigger
(``ledger_posting_balanced_stmt``) and the reference triggers (``db_references``) see every
posting of the batch in their transition tables, and a deferred per-entry check sees each
entry whole. The number of postings written is checked.

PostgreSQL: the entries' ids are reserved from the sequence first, so every row is known
before it is sent; then one ``COPY`` each of the entries, the postings and the audit rows,
as text rendered in Python (``bulk_sql.copy_text``): one format per row, or per shape of
entry for the postings (``postings_template``: accounts, categories and separators are
fixed by the shape), because psycopg's formatting of every value cost more than the
database's work. The postings used to go in by an ``INSERT ... SELECT`` from ``unnest``
arrays joined to the category map, the most expensive statement of a bill run (about 4.5 s
of server time for 100,000 accounts); a ``COPY`` also writes multi-insert WAL records
instead of one per row.

SQLite: three ``INSERT ... SELECT`` (entries, postings, audit rows) from temporary scratch
tables holding the entries and their category sums, bound before the transaction if the
caller staged its plan, else at the start of the write (``bulk_stage``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from operator import neg
from typing import Any

from django.db import connection
from django.utils import timezone

from cistern.core.models import AuditEvent
from cistern.ledger.bulk_plan import CategoryBatch, CategoryPlan, PlannedEntry
from cistern.ledger.bulk_sql import COPY_PART_ROWS, copy_field, copy_text, prepared, reserve_ids
from cistern.ledger.bulk_stage import (
    AUDIT_ACTION,
    AUDIT_COLUMNS,
    ENTRY_COLUMNS,
    staged_entries_write,
)
from cistern.ledger.bulk_text import Shape, Template, template
from cistern.ledger.models import JournalEntry, LedgerAccount, Posting

_POSTING_COLUMNS = (
    "entry", "ledger_account", "amount_cents", "customer_account", "charge_category",
    "effective_date",
)  # fmt: skip


def entries_write(
    *, plan: CategoryPlan, new: list[PlannedEntry], chart: dict[str, LedgerAccount], actor: Any
) -> list[int]:
    """Write the new entries (some of the plan's, in plan order), their postings and audit
    rows; returns the entries' ids, in the order of ``new``. ``chart``: code -> account,
    every code of the entries' shapes."""
    now = prepared(JournalEntry, "recorded_at", timezone.now())
    actor_id = actor.pk if actor is not None else None
    if connection.vendor != "postgresql":
        return staged_entries_write(plan=plan, new=new, chart=chart, now=now, actor=actor_id)
    ids = _copy_entries(plan.batch, new, now, actor_id)
    _copy_postings(new, ids, chart)
    _copy_audit(new, ids, now, actor_id)
    return ids


def _copy_entries(batch: CategoryBatch, new: list[PlannedEntry], now: Any, actor: Any) -> list[int]:
    """PostgreSQL: ids from the sequence, then ``COPY`` of the entries rendered as text, one
    format per row (psycopg's formatting of each value cost more than the database's work)."""
    ids = reserve_ids(JournalEntry, len(new))
    fixed = f"\t{copy_field(now)}\t{copy_field(batch.source)}"
    tail = f"\t{copy_field(actor)}\t\\N\n"
    days: dict[date, str] = {}

    def row(entry: PlannedEntry, entry_id: int) -> str:
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

    copy_text(JournalEntry, ("id", *ENTRY_COLUMNS), _parts(new, ids, row))
    return ids


# An entry's values, in the order a postings template picks them from: its id, its
# customer account and its day, then each category's sum, then each sum negated.
_ENTRY_ID, _CUSTOMER, _DAY, _AMOUNTS = range(4)


def postings_template(shape: Shape, account_ids: dict[str, int]) -> Template:
    """The ``COPY`` text (``_POSTING_COLUMNS``) of the postings of an entry of ``shape``:
    per category, in order, the receivable leg (the sum, the customer account, the
    category) then the revenue leg (the sum negated, no customer account, no category).
    ``account_ids``: code -> ledger account id. Rendered from ``posting_values``."""
    count = len(shape.categories)
    parts: list[str | int] = []
    for n, ((receivable, category), (revenue, _none)) in enumerate(
        zip(shape.legs[::2], shape.legs[1::2], strict=True)
    ):
        parts += [
            _ENTRY_ID, f"\t{account_ids[receivable]}\t", _AMOUNTS + n, "\t", _CUSTOMER,
            f"\t{copy_field(category)}\t", _DAY, "\n",
            _ENTRY_ID, f"\t{account_ids[revenue]}\t", _AMOUNTS + count + n, "\t\\N\t\t", _DAY,
            "\n",
        ]  # fmt: skip
    return template(parts)


def posting_values(
    entry_id: int, customer_account_id: int, day: str, amounts: tuple[int, ...]
) -> tuple[Any, ...]:
    """An entry's values for its postings template (``day``: the date's isoformat)."""
    return (entry_id, customer_account_id, day, *amounts, *map(neg, amounts))


def _copy_postings(
    new: list[PlannedEntry], ids: list[int], chart: dict[str, LedgerAccount]
) -> None:
    """PostgreSQL: every posting of the batch by ONE ``COPY``, in entry then leg order, each
    entry rendered by its shape's template (made once a batch)."""
    account_ids = {code: account.pk for code, account in chart.items()}
    templates: dict[tuple[str, ...], Template] = {}
    days: dict[date, str] = {}

    def row(entry: PlannedEntry, entry_id: int) -> str:
        shape, header = entry.shape, entry.header
        found = templates.get(shape.categories)
        if found is None:
            found = templates[shape.categories] = postings_template(shape, account_ids)
        day = days.get(header.effective_date) or days.setdefault(
            header.effective_date, copy_field(header.effective_date.isoformat())
        )
        return found.render(
            posting_values(entry_id, header.customer_account_id, day, entry.amounts)
        )

    written = copy_text(Posting, _POSTING_COLUMNS, _parts(new, ids, row))
    expected = 2 * sum(len(entry.amounts) for entry in new)
    if written != expected:
        raise RuntimeError(f"wrote {written} postings, expected {expected}")


def _copy_audit(new: list[PlannedEntry], ids: list[int], now: Any, actor: Any) -> None:
    """PostgreSQL: ``COPY`` of the audit rows as text (one event per entry: its legs name
    one customer account)."""
    subject = JournalEntry._meta.label
    fixed = "\t".join(copy_field(v) for v in (now, actor, AUDIT_ACTION, subject))

    def row(entry: PlannedEntry, entry_id: int) -> str:
        after, memo = entry.after, entry.header.memo
        if not entry.plain:
            after, memo = copy_field(after), copy_field(memo)
        customer = entry.header.customer_account_id
        return f"{fixed}\t{entry_id}\t{customer}\t{{}}\t{after}\t{memo}\n"

    copy_text(AuditEvent, AUDIT_COLUMNS, _parts(new, ids, row))


def _parts(
    new: list[PlannedEntry], ids: list[int], row: Callable[[PlannedEntry, int], str]
) -> Iterator[str]:
    """``COPY`` text of the entries' rows, ``COPY_PART_ROWS`` entries at a time."""
    for start in range(0, len(new), COPY_PART_ROWS):
        stop = start + COPY_PART_ROWS
        yield "".join(map(row, new[start:stop], ids[start:stop]))
