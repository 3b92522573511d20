"""Turning what a person typed into search terms, and judging how well an account matches.

Pure: no Django, no database. A query becomes a list of ``QueryTerm``; an account matches
when every term matches one of its search words, either exactly or as a prefix ("oak"
finds "oakwood"). A term may have alternatives: "555-0142" is also tried as "5550142",
and a whole query that looks like a phone number ("(530) 555-0142", "1-530-555-0142") is
reduced to its digits, so any format finds the number the search document holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from cistern.customers.domain.search_text import words

MAX_QUERY_CHARS = 200  # longer input is cut here before anything else looks at it
MAX_TERMS = 8  # words beyond this add nothing but cost
# A single character matches only itself, never as a prefix: "d" would match every
# document (its city), costing a full index scan on each first keystroke for nothing.
MIN_PREFIX_CHARS = 2
_PHONE_LIKE = re.compile(r"^[\d\s().+-]+$")
_DIGITS_AND_SEPARATORS = re.compile(r"^[\d.-]+$")


@dataclass(frozen=True)
class QueryTerm:
    """One word of the query: matches a search word equal to, or starting with, an alternative."""

    alternatives: tuple[str, ...]


class Match(IntEnum):
    NONE = 0
    PREFIX = 1
    EXACT = 2


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _phone_query(text: str) -> QueryTerm | None:
    """The query as one phone-number term, when it is nothing but a phone number."""
    stripped = text.strip()
    digits = _digits(stripped)
    if not _PHONE_LIKE.match(stripped) or not 7 <= len(digits) <= 15:
        return None
    alternatives = [digits]
    if len(digits) == 11 and digits.startswith("1"):
        alternatives.append(digits[1:])  # "1-530-555-0142": the leading 1 is not stored
    found = words(stripped)
    if len(found) == 1 and found[0] not in alternatives:
        alternatives.append(found[0])  # an APN written with dashes is also a word as typed
    return QueryTerm(tuple(alternatives))


def query_terms(query: str) -> list[QueryTerm]:
    """The terms of ``query``; empty when nothing in it can be searched for."""
    text = (query or "")[:MAX_QUERY_CHARS]
    phone = _phone_query(text)
    if phone is not None:
        return [phone]
    terms: list[QueryTerm] = []
    seen: set[str] = set()
    for word in words(text):
        if word in seen:
            continue
        seen.add(word)
        alternatives = [word]
        digits = _digits(word)
        if _DIGITS_AND_SEPARATORS.match(word) and digits and digits != word:
            alternatives.append(digits)  # "555-0142" -> "5550142", "123-456-78" -> "12345678"
        terms.append(QueryTerm(tuple(alternatives)))
        if len(terms) == MAX_TERMS:
            break
    return terms


def term_match(term: QueryTerm, tokens: Sequence[str]) -> Match:
    """How well ``term`` matches the best of ``tokens``."""
    best = Match.NONE
    for token in tokens:
        for alternative in term.alternatives:
            if token == alternative:
                return Match.EXACT
            if token.startswith(alternative):
                best = Match.PREFIX
    return best


def as_prefix(alternative: str, prefix: bool) -> bool:
    """Whether ``alternative`` is matched as a prefix in a tier that asks for prefixes."""
    return prefix and len(alternative) >= MIN_PREFIX_CHARS


def search_tiers(terms: Sequence[QueryTerm]) -> list[tuple[bool, ...]]:
    """The passes a search makes, best first: for each pass, which terms match by prefix.

    1. every word exactly ("123 oak" -> 123 Oak Ave before 1234 Oakland Blvd);
    2. every word but the last exactly, the last by prefix (what someone still typing means);
    3. every word by prefix.
    """
    n = len(terms)
    tiers = [(False,) * n, (False,) * (n - 1) + (True,), (True,) * n]
    return list(dict.fromkeys(tiers))


def fields_matched(terms: Sequence[QueryTerm], fields: dict[str, Sequence[str]]) -> list[str]:
    """Which labelled fields (e.g. "phone": ["5305550142"]) any term matches, in field order."""
    found = []
    for label, texts in fields.items():
        tokens = [w for text in texts for w in _field_words(label, text)]
        if any(term_match(term, tokens) is not Match.NONE for term in terms):
            found.append(label)
    return found


def _field_words(label: str, text: str) -> list[str]:
    digits = _digits(text)
    extra = [digits, digits[-7:]] if digits and label in {"phone", "apn"} else []
    return words(text) + extra
