"""How typed queries become search terms, and how a match is judged (pure, no database)."""

import pytest

from cistern.customers.domain.search_query import (
    MAX_TERMS,
    Match,
    QueryTerm,
    fields_matched,
    query_terms,
    search_tiers,
    term_match,
)
from cistern.customers.domain.search_text import build_search_text


def alternatives(query):
    return [t.alternatives for t in query_terms(query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("oak 123", [("oak",), ("123",)]),
        ("123 Oak Ave.", [("123",), ("oak",), ("ave",)]),
        ("(530) 555-0142", [("5305550142",)]),
        ("1-530-555-0142", [("15305550142", "5305550142", "1-530-555-0142")]),
        ("555-0142", [("5550142", "555-0142")]),
        ("069-231-014", [("069231014", "069-231-014")]),
        ("garcia 555-0142", [("garcia",), ("555-0142", "5550142")]),
        ("Maria.Garcia@Example.com", [("maria.garcia@example.com",)]),
        ("José", [("jose",)]),
        ("oak oak", [("oak",)]),
    ],
)
def test_a_query_becomes_terms_with_their_alternatives(query, expected):
    assert alternatives(query) == expected


@pytest.mark.parametrize("query", ["", "   ", '"', "***", "()", "--", "\x00", "💧"])
def test_a_query_with_nothing_searchable_has_no_terms(query):
    assert query_terms(query) == []


def test_a_very_long_query_is_cut_to_a_few_terms():
    assert len(query_terms(" ".join(f"w{i}" for i in range(500)))) == MAX_TERMS
    assert len(query_terms("x" * 10_000)[0].alternatives[0]) <= 200


def test_search_tiers_go_from_all_exact_to_all_prefix():
    terms = query_terms("123 oa")
    assert search_tiers(terms) == [(False, False), (False, True), (True, True)]
    assert search_tiers(query_terms("oak")) == [(False,), (True,)]


def test_term_match_tells_exact_from_prefix():
    tokens = ["10000016", "garcia", "maria", "oakwood"]
    assert term_match(QueryTerm(("garcia",)), tokens) is Match.EXACT
    assert term_match(QueryTerm(("oak",)), tokens) is Match.PREFIX
    assert term_match(QueryTerm(("elm",)), tokens) is Match.NONE


def test_fields_matched_names_the_fields_in_order():
    fields = {"name": ["Garcia, Maria"], "phone": ["5305550142"], "apn": ["069-231-014"]}
    assert fields_matched(query_terms("555-0142"), fields) == ["phone"]
    assert fields_matched(query_terms("069231014"), fields) == ["apn"]
    assert fields_matched(query_terms("maria"), fields) == ["name"]


def test_the_search_text_holds_every_word_a_query_might_use():
    text = build_search_text(
        account_number="10000016",
        names=["García, María"],
        addresses=["123 Oak Ave. Davis"],
        phones=["(530) 555-0142"],
        emails=["maria.garcia@example.com"],
        meter_serials=["W10001"],
        apns=["069-231-014"],
    )
    tokens = text.split()
    assert tokens[0] == "10000016"
    for word in [
        "garcia",
        "maria",
        "123",
        "oak",
        "ave",
        "davis",
        "5305550142",
        "5550142",
        "maria.garcia@example.com",
        "w10001",
        "069-231-014",
        "069231014",
    ]:
        assert word in tokens
    for query in ["oak 123", "(530) 555-0142", "555-0142", "069231014", "W10001"]:
        assert all(term_match(t, tokens) is not Match.NONE for t in query_terms(query))
