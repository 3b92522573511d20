"""The set-based writer's per-shape templates give exactly the single path's texts.

``bulk_text`` formats an entry's content hash text and audit document from one template per
shape (its categories); ``entry_content_hash`` and ``audit_after`` are the single path's
own functions. For generated entries — negative and equal amounts, several categories,
codes that are prefixes of one another or sort before ``"``, strings that JSON escapes,
``%`` and braces — both must give the same digest and the same JSON text.
"""

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cistern.ledger import codes
from cistern.ledger.bulk import EntryRequest
from cistern.ledger.bulk_rows import EntryTexts
from cistern.ledger.bulk_text import (
    Template,
    check_texts,
    entry_texts,
    is_plain,
    legs_templates,
    shape_of,
)
from cistern.ledger.domain.entries import Leg, entry_content_hash
from cistern.ledger.models import JournalEntry
from cistern.ledger.services import audit_after

PLAIN = st.text(
    st.characters(min_codepoint=32, max_codepoint=126, exclude_characters='"\\'), max_size=12
)
ASCII = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12)  # quotes too
ANY = st.text(max_size=12)
# Codes chosen to collide in the ways that matter: prefixes ("12" of "123"), characters
# that sort before the closing quote (" ", "!"), and format syntax ("%", "{").
CODES = ["12", "123", "12 ", "12!", "1200-AR", "4000", "40", "A%s", "{0}", "Z}"]
CENTS = st.integers(min_value=-(10**9), max_value=10**9).filter(bool)


@st.composite
def entries(draw):
    """An entry's source, categories, their accounts, amounts and header: mostly plain
    strings and distinct codes (the templates' case), sometimes anything (the fallback)."""
    text = draw(st.sampled_from([PLAIN, PLAIN, PLAIN, ASCII, ANY]))
    count = draw(st.integers(min_value=1, max_value=4))
    categories = tuple(
        draw(st.lists(text.filter(bool), min_size=count, max_size=count, unique=True))
    )
    code = st.one_of(st.sampled_from(CODES), text.filter(bool))
    unique = draw(st.integers(0, 4)) > 0  # else codes may repeat (two categories on one)
    drawn = draw(st.lists(code, min_size=2 * count, max_size=2 * count, unique=unique))
    receivable = dict(zip(categories, drawn[::2], strict=True))
    revenue = dict(zip(categories, drawn[1::2], strict=True))
    amounts = tuple(draw(st.lists(CENTS, min_size=count, max_size=count)))
    if draw(st.booleans()):  # equal amounts in every category
        amounts = (amounts[0],) * count
    source = draw(st.one_of(st.just("bill"), text.filter(bool)))
    header = JournalEntry(
        idempotency_key=draw(st.one_of(st.just("bill:1"), text)),
        effective_date=draw(st.dates(date(1990, 1, 1), date(2100, 12, 31))),
        source=source,
        source_ref=draw(st.one_of(st.just("B00000001"), text)),
        memo=draw(st.one_of(st.just("Bill 2025-01-01 to 2025-01-31"), text)),
    )
    header.customer_account_id = draw(st.integers(min_value=1, max_value=10**12))
    return source, categories, receivable, revenue, amounts, header


def _single_path(source, categories, receivable, revenue, amounts, header):
    """The hash and audit text journal_entry_post gives the same legs (as bill_legs makes
    them: per category, receivable then revenue)."""
    legs = []
    for category, cents in zip(categories, amounts, strict=True):
        legs += [
            Leg(receivable[category], cents, header.customer_account_id, category),
            Leg(revenue[category], -cents),
        ]
    digest = entry_content_hash(
        legs=legs, effective_date=header.effective_date, source=source,
        source_ref=header.source_ref, memo=header.memo,
    )  # fmt: skip
    return digest, json.dumps(audit_after(header, legs))


@settings(max_examples=400, deadline=None)
@given(entries())
def test_templates_give_the_single_paths_hash_and_audit_text(entry) -> None:
    source, categories, receivable, revenue, amounts, header = entry
    shape = shape_of(source, categories, receivable, revenue)
    plain = is_plain(header.memo) and is_plain(header.idempotency_key + header.source_ref)
    texts = entry_texts(shape, header, amounts, plain=plain)
    assert texts == _single_path(*entry)


def test_plain_bills_of_the_usual_shapes_use_the_templates() -> None:
    # given the categories a bill run posts, each to its own receivable and revenue
    for categories in [("water",), ("water", "sewer"), ("sewer", "water", "late_fee")]:
        shape = shape_of(
            "bill", categories, codes.RECEIVABLE_FOR_CATEGORY, codes.REVENUE_FOR_CATEGORY
        )
        # then the shape has templates (the fast path is the one taken)
        assert shape.hash_template is not None and shape.audit_template is not None
        header = JournalEntry(
            idempotency_key="bill:7", effective_date=date(2025, 2, 3), source="bill",
            source_ref="B00000007", memo="Bill 2025-01-01 to 2025-01-31",
        )  # fmt: skip
        header.customer_account_id = 42
        for amounts in [(1,) * len(categories), tuple(range(-1, -len(categories) - 1, -1))]:
            texts = entry_texts(shape, header, amounts, plain=True)
            receivable, revenue = codes.RECEIVABLE_FOR_CATEGORY, codes.REVENUE_FOR_CATEGORY
            assert texts == _single_path("bill", categories, receivable, revenue, amounts, header)


def test_two_categories_on_one_account_take_the_single_paths_functions() -> None:
    # given two fee categories that share their receivable
    categories = (codes.CATEGORY_LATE_FEE, codes.CATEGORY_RECONNECTION_FEE)
    shape = shape_of("bill", categories, codes.RECEIVABLE_FOR_CATEGORY, codes.REVENUE_FOR_CATEGORY)
    # then there is no template: the legs' order depends on the amounts
    assert shape.legs and shape.hash_template is None


def test_a_category_without_accounts_has_no_legs() -> None:
    shape = shape_of("bill", ("water", "pool"), codes.RECEIVABLE_FOR_CATEGORY, {})
    assert shape.legs == ()


def test_a_template_that_disagrees_with_the_single_path_is_caught() -> None:
    # given a shape whose hash template misspells the source
    good = shape_of("bill", ("water",), codes.RECEIVABLE_FOR_CATEGORY, codes.REVENUE_FOR_CATEGORY)
    assert good.hash_template is not None
    text = good.hash_template.text.replace('"source":"bill"', '"source":"Bill"')
    bad = good._replace(hash_template=Template(text, good.hash_template.fields))
    header = JournalEntry(
        idempotency_key="bill:1", effective_date=date(2025, 2, 3), source="bill",
        source_ref="B1", memo="memo",
    )  # fmt: skip
    header.customer_account_id = 5
    # then checking it against the single path's functions raises (the good one passes)
    with pytest.raises(RuntimeError, match="disagree"):
        check_texts(bad, header, (100,), entry_texts(bad, header, (100,), plain=True))
    check_texts(good, header, (100,), entry_texts(good, header, (100,), plain=True))


# Any entry's legs (a payment's: cash, receivables by category, a credit), through the bulk
# poster's texts (``bulk_rows.EntryTexts``: templates of ``legs_templates`` when plain, else the
# single path's functions).


@st.composite
def requests(draw):
    """An entry request of two to five legs: mostly plain strings and distinct codes."""
    text = draw(st.sampled_from([PLAIN, PLAIN, PLAIN, ASCII, ANY]))
    count = draw(st.integers(min_value=2, max_value=5))
    code = st.one_of(st.sampled_from(CODES), text.filter(bool))
    unique = draw(st.integers(0, 4)) > 0  # else codes may repeat
    legs = tuple(
        Leg(
            account,
            draw(CENTS),
            draw(st.one_of(st.none(), st.integers(min_value=0, max_value=10**12))),
            draw(st.one_of(st.just(""), st.just("water"), text)),
        )
        for account in draw(st.lists(code, min_size=count, max_size=count, unique=unique))
    )
    return EntryRequest(
        idempotency_key=draw(st.one_of(st.just("payment:P1"), text.filter(bool))),
        effective_date=draw(st.dates(date(1990, 1, 1), date(2100, 12, 31))),
        source=draw(st.one_of(st.just("payment"), text.filter(bool))),
        legs=legs,
        source_ref=draw(st.one_of(st.just("LB-1"), text)),
        memo=draw(st.one_of(st.just("Check payment, Lockbox"), text)),
    )


def _single_path_texts(request: EntryRequest) -> tuple[str, str]:
    header = JournalEntry(
        idempotency_key=request.idempotency_key, effective_date=request.effective_date,
        source=request.source, source_ref=request.source_ref, memo=request.memo,
    )  # fmt: skip
    digest = entry_content_hash(
        legs=request.legs, effective_date=request.effective_date, source=request.source,
        source_ref=request.source_ref, memo=request.memo,
    )  # fmt: skip
    return digest, json.dumps(audit_after(header, request.legs))


@settings(max_examples=200, deadline=None)
@given(st.lists(requests(), min_size=1, max_size=3))
def test_any_legs_texts_are_the_single_paths_hash_and_audit_text(batch) -> None:
    texts = EntryTexts()  # one batch: templates made once, shared by entries of one form
    for request in batch:
        new = texts.of(request)
        assert (new.content_hash, new.after) == _single_path_texts(request)


def test_plain_payments_use_the_legs_templates() -> None:
    # given a lockbox payment's legs: cash, two categories, a credit
    legs = (
        Leg(codes.CASH_CLEARING, 10_000),
        Leg(codes.AR_WATER, -4_000, 42, codes.CATEGORY_WATER),
        Leg(codes.AR_SEWER, -3_500, 42, codes.CATEGORY_SEWER),
        Leg(codes.AR_OTHER, -2_500, 42, "credit"),
    )
    texts = EntryTexts()
    for n in range(3):
        request = EntryRequest(f"payment:P{n}", date(2025, 3, n + 1), "payment", legs, "LB-7")
        new = texts.of(request)
        # then they are rendered from the templates (values kept), and exactly
        assert new.values is not None
        assert (new.content_hash, new.after) == _single_path_texts(request)


def test_legs_on_one_code_twice_have_no_template() -> None:
    # the order of their legs in the hash text depends on the amounts
    legs = [(codes.AR_FEES, codes.CATEGORY_LATE_FEE, True), (codes.AR_FEES, "other", True)]
    assert legs_templates("adjustment", legs) is None
