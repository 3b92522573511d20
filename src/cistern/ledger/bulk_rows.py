"""The rows a bulk post (``bulk.journal_entries_post_bulk``) writes.

Each request's texts, its content hash and its audit ``after`` document as JSON text
(``EntryTexts``: from templates per source and form of its legs, or from the single path's
functions), and on PostgreSQL the ``COPY`` text of the new entries, their postings and their
audit rows (``copy_new``). Split from ``bulk`` (planning, checks, locks), which calls them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from cistern.core.models import AuditEvent
from cistern.ledger.bulk_sql import copy_field, copy_parts, copy_text, reserve_ids
from cistern.ledger.bulk_text import (
    LEGS_AMOUNTS,
    LEGS_DATE,
    LegForm,
    Template,
    is_plain,
    legs_templates,
    legs_values,
    template,
)
from cistern.ledger.models import JournalEntry, Posting

if TYPE_CHECKING:
    from cistern.ledger.bulk import EntryRequest


class NewEntry(NamedTuple):
    """A request to post, with its texts. ``form`` and ``values``: its legs' form and its
    values for the templates (``bulk_text.legs_templates``), when it was rendered from them
    (its strings then need no escaping); None when its texts came from the single path."""

    request: EntryRequest
    content_hash: str
    after: str  # the audit event's ``after`` document as JSON text
    form: tuple[LegForm, ...] | None
    values: tuple[Any, ...] | None


class EntryTexts:
    """Each request's (content hash, audit ``after`` as JSON text).

    A request whose strings are plain (``bulk_text.is_plain``), amounts and customer accounts
    ints, gets them from the templates of its source and legs' form (``legs_templates``,
    made once a batch, checked against the single path's functions on the first request of
    each): no legs sorted, no JSON encoded per entry. Any other, from those functions."""

    def __init__(self) -> None:
        self.templates: dict[tuple[str, tuple[LegForm, ...]], tuple[Template, Template] | None]
        self.templates = {}
        self.checked: set[tuple[str, tuple[LegForm, ...]]] = set()
        self.plain: dict[str, bool] = {}  # references and memos repeat
        self.days: dict[date, str] = {}

    def of(self, request: EntryRequest) -> NewEntry:
        legs = request.legs
        form = tuple(
            (g.account_code, g.charge_category, g.customer_account_id is not None) for g in legs
        )
        shape = (request.source, form)
        if shape not in self.templates:
            self.templates[shape] = legs_templates(request.source, form)
        found = self.templates[shape]
        if found is None or not self._plain(request):
            return NewEntry(request, *exact_texts(request), None, None)
        day = self.days.get(request.effective_date) or self.days.setdefault(
            request.effective_date, request.effective_date.isoformat()
        )
        values = legs_values(
            day=day, memo=request.memo, source_ref=request.source_ref,
            key=request.idempotency_key, legs=legs,
        )  # fmt: skip
        hash_text, after = found[0].render(values), found[1].render(values)
        texts = hashlib.sha256(hash_text.encode()).hexdigest(), after
        if shape not in self.checked:
            if texts != exact_texts(request):
                raise RuntimeError(f"legs_templates disagree with the single path ({shape})")
            self.checked.add(shape)
        return NewEntry(request, *texts, form, values)

    def _plain(self, request: EntryRequest) -> bool:
        """Whether the request's key, reference and memo are plain, its amounts and customer
        accounts ints (what JSON writes as ``str`` does)."""
        plain = self.plain
        for text in (request.source_ref, request.memo):
            if text not in plain:
                plain[text] = is_plain(text)
            if not plain[text]:
                return False
        return is_plain(request.idempotency_key) and all(
            type(g.amount_cents) is int and type(g.customer_account_id) in _ID_TYPES
            for g in request.legs
        )


_ID_TYPES = (int, type(None))


def exact_texts(request: EntryRequest) -> tuple[str, str]:
    """The request's texts by the single path's functions (``audit_after``'s document)."""
    after = {
        "idempotency_key": request.idempotency_key,
        "effective_date": request.effective_date.isoformat(),
        "source": request.source,
        "source_ref": request.source_ref,
        "memo": request.memo,
        "reverses": None,
        "legs": [leg.as_json() for leg in request.legs],
    }
    return request.content_hash, json.dumps(after)


ENTRY_COLUMNS = (
    "idempotency_key", "content_hash", "effective_date", "recorded_at", "source", "source_ref",
    "memo", "actor", "reverses",
)  # fmt: skip
POSTING_COLUMNS = (
    "entry", "ledger_account", "amount_cents", "customer_account", "charge_category",
    "effective_date",
)  # fmt: skip


def audited_accounts(request: EntryRequest) -> Sequence[int | None]:
    """The customer accounts whose history shows the entry: one audit event each (or one
    naming none), as ``journal_entry_post`` writes them."""
    touched = sorted({leg.customer_account_id for leg in request.legs if leg.customer_account_id})
    return touched or (None,)


def copy_new(
    new: Sequence[NewEntry], ledger_account_ids: dict[str, int], now: Any, actor_id: int | None
) -> list[int]:
    """PostgreSQL: the new entries' ids from the sequence, then one ``COPY`` each of the
    entries, the postings (all of them in ONE statement, for the balance and reference
    triggers) and the audit rows, rendered as text here (``bulk_sql.copy_text``): psycopg's
    formatting of every value cost more than the server's work. An entry rendered from
    templates (``NewEntry.values``) has its postings rendered from one too, per form of its
    legs, and its strings need no escaping. The rows are those of the other databases' path,
    value for value; the counts written are checked."""
    ids = reserve_ids(JournalEntry, len(new))
    text = _CopyTexts()
    ledger_ids = {code: str(pk) for code, pk in ledger_account_ids.items()}
    when, actor = copy_field(now), copy_field(actor_id)
    audit_fixed = f"{when}\t{actor}\tledger.entry.post\t{text(JournalEntry._meta.label)}"
    audited = [audited_accounts(new.request) for new in new]
    templates: dict[tuple[LegForm, ...], Template] = {}

    def entry(n: int) -> str:
        (r, content_hash, _after, _form, values), entry_id = new[n], ids[n]
        if values:  # plain strings: nothing to escape
            key, day, source, ref, memo = (
                r.idempotency_key, values[LEGS_DATE], r.source, r.source_ref, r.memo
            )  # fmt: skip
        else:
            key, day = copy_field(r.idempotency_key), text.day(r.effective_date)
            source, ref, memo = text(r.source), text(r.source_ref), text(r.memo)
        return (
            f"{entry_id}\t{key}\t{content_hash}\t{day}\t{when}\t{source}\t{ref}\t{memo}"
            f"\t{actor}\t\\N\n"
        )

    def postings(n: int) -> str:
        (request, _hash, _after, form, values), entry_id = new[n], ids[n]
        if form is not None and values is not None:
            found = templates.get(form) or templates.setdefault(
                form, _postings_template(form, ledger_ids)
            )
            return found.render((entry_id, *values))
        day = text.day(request.effective_date)
        return "".join(
            f"{entry_id}\t{ledger_ids[leg.account_code]}\t{leg.amount_cents}"
            f"\t{text(leg.customer_account_id)}\t{text(leg.charge_category)}\t{day}\n"
            for leg in request.legs
        )

    def audit(n: int) -> str:
        (r, _hash, after, _form, values), entry_id = new[n], ids[n]
        if not values:  # else plain strings: nothing to escape
            after = copy_field(after)
        tail = f"\t{{}}\t{after}\t{text(r.memo)}\n"
        return "".join(
            f"{audit_fixed}\t{entry_id}\t{text(account_id)}{tail}" for account_id in audited[n]
        )

    count = len(new)
    expected = (count, sum(len(new.request.legs) for new in new), sum(map(len, audited)))
    written = (
        copy_text(JournalEntry, ("id", *ENTRY_COLUMNS), copy_parts(count, entry)),
        copy_text(Posting, POSTING_COLUMNS, copy_parts(count, postings)),
        copy_text(AuditEvent, AUDIT_COLUMNS, copy_parts(count, audit)),
    )
    if written != expected:
        raise RuntimeError(f"wrote {written} entries, postings, audit rows; expected {expected}")
    return ids


def _postings_template(form: tuple[LegForm, ...], ledger_ids: dict[str, str]) -> Template:
    """The ``COPY`` text of the postings of an entry whose legs have ``form``, rendered
    from its id then its ``legs_values`` (shifted by one)."""
    parts: list[str | int] = []
    for n, (code, category, named) in enumerate(form):
        customer: str | int = 1 + LEGS_AMOUNTS + len(form) + n if named else "\\N"
        parts += [
            0, f"\t{ledger_ids[code]}\t", 1 + LEGS_AMOUNTS + n, "\t", customer,
            f"\t{copy_field(category)}\t", 1 + LEGS_DATE, "\n",
        ]  # fmt: skip
    return template(parts)


AUDIT_COLUMNS = (
    "occurred_at", "actor", "action", "subject_type", "subject_id", "account_id", "before",
    "after", "reason",
)  # fmt: skip


class _CopyTexts(dict[Any, str]):
    """Values as ``COPY`` text (``copy_field``), each distinct one rendered once: a batch's
    sources, references, memos, categories and customer accounts repeat."""

    def __call__(self, value: Any) -> str:
        found = self.get(value)
        if found is None:
            found = self[value] = copy_field(value)
        return found

    def day(self, value: date) -> str:
        return self(value.isoformat())
