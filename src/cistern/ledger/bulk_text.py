"""The texts a set-based category entry is written with: content hash and audit document.

An entry of ``bulk_set`` is one customer account's sums by charge category: for each
category, in order, a debit of its receivable (naming the customer account and category)
and the credit of its revenue. Its content hash (``entry_content_hash``) and its audit
``after`` document (``audit_after``, as ``json.dumps`` writes it) differ from one entry to
the next only in the date, key, reference, memo, customer account and amounts; the rest is
fixed by its *shape*, the categories in order. So each shape becomes a template once per
batch and each entry's texts are that template with its values slotted in: no legs built,
no sorting and no JSON encoding per entry (a bill run hashes 100,000 entries of a handful
of shapes).

Exactness. A template is only made when every string of the shape (codes, categories,
source) is *plain* (``is_plain``: printable ASCII without ``"`` or ``\\``, which JSON
writes unchanged) and its legs' account codes are all different; an entry uses it only when
its own key, reference and memo are plain. Otherwise ``entry_texts`` builds the legs and
calls the single path's functions. The order of the legs in the canonical text is fixed by
the codes: ``entry_content_hash`` sorts legs by their ``json.dumps(sort_keys=True)`` text,
which begins ``{"account": "<code>"``, and two different plain codes differ within
``<code>"`` (neither can be a prefix of the other, as a code holds no ``"``), whatever the
amounts. ``check_texts`` compares a template's output with the single path's functions
(``bulk_plan`` calls it on the first entry of every shape of every batch), and
tests/unit/ledger/test_bulk_text.py compares them on generated entries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple, Protocol

from cistern.ledger.domain.entries import Leg, entry_content_hash

# Positions of an entry's values in the templates' fields; the amounts follow: each
# category's sum, then each one negated (the revenue legs).
_DATE, _MEMO, _REF, _CUSTOMER, _KEY, _AMOUNTS = range(6)


class Header(Protocol):
    """What a template needs of an entry besides its amounts (``bulk_plan.EntryHeader``)."""

    @property
    def idempotency_key(self) -> str: ...
    @property
    def effective_date(self) -> date: ...
    @property
    def customer_account_id(self) -> int: ...
    @property
    def source_ref(self) -> str: ...
    @property
    def memo(self) -> str: ...


class Shape(NamedTuple):
    """The categories of an entry, in order, and what they post to.

    ``legs``: (code, category) per leg, receivable then revenue per category, as
    ``bill_legs`` makes them (the revenue leg's category is ""); empty when a category has
    no account (the entry is refused). The templates are None where an entry's texts are
    built by the single path's functions.
    """

    source: str
    categories: tuple[str, ...]
    legs: tuple[tuple[str, str], ...]
    hash_template: Template | None
    audit_template: Template | None


def is_plain(value: str) -> bool:
    """Whether JSON writes ``value`` unchanged: printable ASCII without ``"`` or ``\\``."""
    return value.isascii() and value.isprintable() and '"' not in value and "\\" not in value


def shape_of(
    source: str,
    categories: tuple[str, ...],
    receivable_for_category: Mapping[str, str],
    revenue_for_category: Mapping[str, str],
) -> Shape:
    """The shape of entries with these categories (in order), with its templates if any."""
    legs: list[tuple[str, str]] = []
    for category in categories:
        receivable = receivable_for_category.get(category, "")
        revenue = revenue_for_category.get(category, "")
        if not receivable or not revenue:
            return Shape(source, categories, (), None, None)
        legs += [(receivable, category), (revenue, "")]
    codes = [code for code, _category in legs]
    strings = [source, *categories, *codes]
    if len(set(codes)) != len(codes) or not all(is_plain(s) for s in strings):
        return Shape(source, categories, tuple(legs), None, None)
    return Shape(
        source, categories, tuple(legs), _hash_template(source, legs), _audit_template(source, legs)
    )


class Template(NamedTuple):
    """A text with fields, rendered as ``text % fields(values)``: ``fields`` picks the
    values it needs, in its order, from an entry's values (``_DATE`` ... ``_KEY``, then the
    amounts). ``%`` formatting: about twice as fast as ``str.format`` here."""

    text: str
    fields: Callable[[Sequence[Any]], tuple[Any, ...]]

    def render(self, values: Sequence[Any]) -> str:
        return self.text % self.fields(values)


def template(parts: Sequence[str | int]) -> Template:
    """Literal text and fields (an int: the position of the value) into a ``Template``
    (also ``bulk_write``'s postings as ``COPY`` text)."""
    text = "".join("%s" if isinstance(p, int) else p.replace("%", "%%") for p in parts)
    return Template(text, itemgetter(*[p for p in parts if isinstance(p, int)]))


def _leg_fields(legs: Sequence[tuple[str, str]], n: int) -> tuple[int, int | str]:
    """(amount, customer) fields of leg n: receivable legs are even, revenue legs odd."""
    category = n // 2
    if n % 2 == 0:
        return _AMOUNTS + category, _CUSTOMER
    return _AMOUNTS + len(legs) // 2 + category, "null"


def _hash_template(source: str, legs: Sequence[tuple[str, str]]) -> Template:
    """``entry_content_hash``'s canonical text with fields: legs in the order of their codes
    (see the module docstring), keys sorted, no spaces."""
    parts: list[str | int] = ['{"effective_date":"', _DATE, '","legs":[']
    for position, n in enumerate(sorted(range(len(legs)), key=lambda n: legs[n][0] + '"')):
        code, category = legs[n]
        amount, customer = _leg_fields(legs, n)
        parts += [
            "," if position else "", '{"account":"' + code + '","amount_cents":', amount,
            ',"charge_category":"' + category + '","customer_account_id":', customer, "}",
        ]  # fmt: skip
    parts += ['],"memo":"', _MEMO, '","source":"' + source + '","source_ref":"', _REF, '"}']
    return template(parts)


def _audit_template(source: str, legs: Sequence[tuple[str, str]]) -> Template:
    """``json.dumps(audit_after(...))`` with fields: the legs in their order."""
    parts: list[str | int] = [
        '{"idempotency_key": "', _KEY, '", "effective_date": "', _DATE,
        '", "source": "' + source + '", "source_ref": "', _REF, '", "memo": "', _MEMO,
        '", "reverses": null, "legs": [',
    ]  # fmt: skip
    for n, (code, category) in enumerate(legs):
        amount, customer = _leg_fields(legs, n)
        parts += [
            ", " if n else "", '{"account": "' + code + '", "amount_cents": ', amount,
            ', "customer_account_id": ', customer, ', "charge_category": "' + category + '"}',
        ]  # fmt: skip
    return template([*parts, "]}"])


def entry_texts(
    shape: Shape, header: Header, amounts: Sequence[int], *, plain: bool, day: str = ""
) -> tuple[str, str]:
    """(content hash, audit ``after`` as JSON text) of the entry: the shape's templates when
    it has them and ``plain`` (the header's key, reference and memo are plain; the caller
    checks, as it can remember a memo), else the single path's functions. ``amounts`` are
    the categories' sums, in the shape's order; ``day`` the date's isoformat, if known."""
    if not plain or shape.hash_template is None or shape.audit_template is None:
        return exact_texts(shape, header, amounts)
    values = (
        day or header.effective_date.isoformat(), header.memo, header.source_ref,
        header.customer_account_id, header.idempotency_key, *amounts,
        *[-cents for cents in amounts],
    )  # fmt: skip
    text = shape.hash_template.render(values)
    return hashlib.sha256(text.encode()).hexdigest(), shape.audit_template.render(values)


def exact_texts(shape: Shape, header: Header, amounts: Sequence[int]) -> tuple[str, str]:
    """The entry's texts by the single path's own functions."""
    legs = entry_legs(shape, header.customer_account_id, amounts)
    content_hash = entry_content_hash(
        legs=legs, effective_date=header.effective_date, source=shape.source,
        source_ref=header.source_ref, memo=header.memo,
    )  # fmt: skip
    return content_hash, json.dumps(after_document(shape.source, header, legs))


def entry_legs(shape: Shape, customer_account_id: int, amounts: Sequence[int]) -> list[Leg]:
    """The entry's legs, in order (what ``bill_legs`` makes of the same sums)."""
    legs = []
    for (receivable, category), (revenue, _none), cents in zip(
        shape.legs[::2], shape.legs[1::2], amounts, strict=True
    ):
        legs += [Leg(receivable, cents, customer_account_id, category), Leg(revenue, -cents)]
    return legs


def after_document(source: str, header: Header, legs: Sequence[Leg]) -> dict[str, Any]:
    """``ledger.services.audit_after`` of the entry (a new entry reverses nothing)."""
    return {
        "idempotency_key": header.idempotency_key,
        "effective_date": header.effective_date.isoformat(),
        "source": source,
        "source_ref": header.source_ref,
        "memo": header.memo,
        "reverses": None,
        "legs": [leg.as_json() for leg in legs],
    }


def check_texts(
    shape: Shape, header: Header, amounts: Sequence[int], texts: tuple[str, str]
) -> None:
    """Raise unless ``texts`` are what the single path's functions give for the entry."""
    if texts != exact_texts(shape, header, amounts):
        raise RuntimeError(
            f"bulk_text templates disagree with entry_content_hash/audit_after ({shape})"
        )


# Any entry's legs (``legs_templates``): the values are an entry's date, memo, reference,
# (unused), key, as above, then each leg's amount, then each leg's customer account.
LEGS_DATE, LEGS_AMOUNTS = _DATE, _AMOUNTS  # for templates of other texts of such entries
LegForm = tuple[str, str, bool]  # (code, category, whether the leg names a customer account)


def legs_templates(source: str, legs: Sequence[LegForm]) -> tuple[Template, Template] | None:
    """(content hash text, audit ``after``) templates of entries of ``source`` whose legs are,
    in order, ``legs``; None where the texts must come from the single path's functions
    (a string not plain, a code twice: see the module docstring). Rendered from
    ``legs_values``; the caller checks the amounts are ints, the customer accounts ints."""
    codes = [code for code, _category, _named in legs]
    strings = [source, *codes, *[category for _code, category, _named in legs]]
    if len(set(codes)) != len(codes) or not all(map(is_plain, strings)):
        return None

    def leg(n: int, *, canonical: bool) -> list[str | int]:
        code, category, named = legs[n]
        return _object_parts(
            [
                ("account", ['"' + code + '"']),
                ("amount_cents", [_AMOUNTS + n]),
                ("customer_account_id", [_AMOUNTS + len(legs) + n if named else "null"]),
                ("charge_category", ['"' + category + '"']),
            ],
            canonical=canonical,
        )

    def members(*, canonical: bool) -> list[tuple[str, list[str | int]]]:
        order = sorted(range(len(legs)), key=lambda n: legs[n][0] + '"') if canonical else None
        items = [leg(n, canonical=canonical) for n in order or range(len(legs))]
        comma = "," if canonical else ", "
        array: list[str | int] = ["["]
        for i, item in enumerate(items):
            array += [comma if i else "", *item]
        return [
            ("idempotency_key", ['"', _KEY, '"']),
            ("effective_date", ['"', _DATE, '"']),
            ("source", ['"' + source + '"']),
            ("source_ref", ['"', _REF, '"']),
            ("memo", ['"', _MEMO, '"']),
            ("reverses", ["null"]),
            ("legs", [*array, "]"]),
        ]

    canonical = [m for m in members(canonical=True) if m[0] not in ("idempotency_key", "reverses")]
    return (
        template(_object_parts(canonical, canonical=True)),
        template(_object_parts(members(canonical=False), canonical=False)),
    )


def _object_parts(
    members: Sequence[tuple[str, Sequence[str | int]]], *, canonical: bool
) -> list[str | int]:
    """A JSON object as template parts, from (name, parts of its value): ``canonical``, keys
    sorted and no spaces (``entry_content_hash``), else in order with ``json.dumps``'s
    separators."""
    colon, comma = (":", ",") if canonical else (": ", ", ")
    ordered = sorted(members, key=itemgetter(0)) if canonical else members
    parts: list[str | int] = ["{"]
    for n, (name, value) in enumerate(ordered):
        parts += [comma if n else "", f'"{name}"{colon}', *value]
    return [*parts, "}"]


def legs_values(
    *, day: str, memo: str, source_ref: str, key: str, legs: Sequence[Leg]
) -> tuple[Any, ...]:
    """An entry's values for its ``legs_templates`` (``day``: the date's isoformat)."""
    amounts = [leg.amount_cents for leg in legs]
    return (day, memo, source_ref, None, key, *amounts, *[leg.customer_account_id for leg in legs])
