"""Account search: any words of an account number, name, address, phone, e-mail, meter or APN.

A query becomes terms (``domain/search_query.py``); an account matches when every term
matches one of its search words, so "oak 123" finds "123 Oak Ave" and "555-0142" finds
"(530) 555-0142". Each database finds matches with its own index (``search_sql.py``).

Best first: the search runs in tiers — every word exact; all but the last exact and the
last as a prefix (someone still typing); every word as a prefix — and within a tier puts an
exact account number first, then live accounts before final and closed ones, then sorts by
name. Each tier ranks at most ``CANDIDATE_CAP`` matches, which bounds the cost of a query
that matches nearly everything ("ca"). Malformed input never raises: what cannot be
searched returns [].
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext_lazy as _

from cistern.customers.domain.account_status import AccountStatus
from cistern.customers.domain.search_query import (
    QueryTerm,
    as_prefix,
    fields_matched,
    query_terms,
    search_tiers,
)
from cistern.customers.search_index import (  # re-exported: the index's maintenance API
    search_document_refresh,
    search_documents_rebuild,
)
from cistern.customers.search_sql import DOC_TABLE, FTS_TABLE, PG_LEXEMES

CANDIDATE_CAP = 500  # matches ranked per tier
MAX_LIMIT = 200
__all__ = [
    "SearchHit",
    "search_accounts",
    "search_document_refresh",
    "search_documents_rebuild",
]
MATCH_LABELS = {
    "number": _("account number"),
    "name": _("name"),
    "service_address": _("service address"),
    "mailing_address": _("mailing address"),
    "phone": _("phone"),
    "email": _("e-mail"),
    "meter": _("meter"),
    "apn": _("APN"),
}


@dataclass(frozen=True)
class SearchHit:
    """One account found by a search, with what in it matched (keys of ``MATCH_LABELS``)."""

    account_id: int
    number: str
    display_name: str
    service_address: str
    status: str
    matched: tuple[str, ...]

    @property
    def matched_labels(self) -> list[str]:
        return [str(MATCH_LABELS[key]) for key in self.matched]

    @property
    def status_label(self) -> str:
        return self.status.replace("_", " ").capitalize()

    @property
    def is_live(self) -> bool:
        return self.status not in {AccountStatus.FINAL, AccountStatus.CLOSED}


def fts5_expression(terms: Sequence[QueryTerm], prefixes: Sequence[bool]) -> str:
    """An FTS5 MATCH expression: every term, each as any of its alternatives."""
    parts = []
    for term, prefix in zip(terms, prefixes, strict=True):
        alternatives = " OR ".join(
            '"' + alt.replace('"', '""') + '"' + ("*" if as_prefix(alt, prefix) else "")
            for alt in term.alternatives
        )
        parts.append(f"({alternatives})")
    return " AND ".join(parts)


def tsquery_expression(terms: Sequence[QueryTerm], prefixes: Sequence[bool]) -> str:
    """A PostgreSQL tsquery of quoted lexemes (no parser, so words stay exactly as written)."""
    parts = []
    for term, prefix in zip(terms, prefixes, strict=True):
        alternatives = " | ".join(
            "'"
            + alt.replace("\\", "\\\\").replace("'", "''")
            + "'"
            + (":*" if as_prefix(alt, prefix) else "")
            for alt in term.alternatives
        )
        parts.append(f"({alternatives})")
    return " & ".join(parts)


def _like_condition(terms: Sequence[QueryTerm], prefixes: Sequence[bool]) -> tuple[str, list[str]]:
    """Any other database: the same matching as LIKE patterns over ' ' || text || ' '."""
    clauses, params = [], []
    for term, prefix in zip(terms, prefixes, strict=True):
        ors = []
        for alt in term.alternatives:
            ors.append("(' ' || text || ' ') LIKE %s")
            params.append(f"% {alt}{'%' if as_prefix(alt, prefix) else ' %'}")
        clauses.append("(" + " OR ".join(ors) + ")")
    return " AND ".join(clauses), params


_STATUS_ORDER = (
    "CASE a.status WHEN 'active' THEN 0 WHEN 'suspended' THEN 1 WHEN 'locked_off' THEN 1 "
    "WHEN 'pending' THEN 2 WHEN 'final' THEN 3 ELSE 4 END"
)
_COLUMNS = (
    "a.id, a.number, a.status, c.display_name, p.street_number, p.street_name, p.unit, "
    "p.city, p.apn, a.customer_id, a.premise_id"
)
_TIER_SQL = (
    "{cte}"
    f"SELECT {_COLUMNS} FROM customers_account a "
    "JOIN customers_customer c ON c.id = a.customer_id "
    "JOIN customers_premise p ON p.id = a.premise_id "
    "WHERE a.id IN ({matches}) AND a.id NOT IN ({seen}) "
    f"ORDER BY CASE WHEN a.number = %s THEN 0 ELSE 1 END, {_STATUS_ORDER}, "
    "c.display_name, a.id LIMIT %s"
)


# PostgreSQL: the matches are a MATERIALIZED CTE so the planner plans them for all rows (the
# GIN index when selective) instead of a sequential scan it hopes a LIMIT will cut short —
# which, for a rare word, reads every document. The CTE is still read lazily, so a word
# matching nearly everything stops after CANDIDATE_CAP rows.
_PG_CTE = (
    f"WITH m AS MATERIALIZED (SELECT account_id FROM {DOC_TABLE} "
    f"WHERE {PG_LEXEMES} @@ %s::tsquery) "
)


def _matches_subquery(
    terms: Sequence[QueryTerm], prefixes: Sequence[bool]
) -> tuple[str, str, list]:
    """(CTE, subquery of matching account ids, their parameters) for this database."""
    if connection.vendor == "sqlite":
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s"
        return "", sql, [fts5_expression(terms, prefixes), CANDIDATE_CAP]
    if connection.vendor == "postgresql":
        sql = "SELECT account_id FROM m LIMIT %s"
        return _PG_CTE, sql, [tsquery_expression(terms, prefixes), CANDIDATE_CAP]
    condition, params = _like_condition(terms, prefixes)
    sql = f"SELECT account_id FROM {DOC_TABLE} WHERE {condition} LIMIT %s"
    return "", sql, [*params, CANDIDATE_CAP]


def _tier_rows(
    terms: Sequence[QueryTerm], prefixes: Sequence[bool], *, seen: list[int], limit: int
) -> list[tuple]:
    cte, matches, params = _matches_subquery(terms, prefixes)
    seen_sql = ", ".join(["%s"] * len(seen)) if seen else "-1"  # ids are positive
    number = terms[0].alternatives[0] if len(terms) == 1 else ""
    sql = _TIER_SQL.format(cte=cte, matches=matches, seen=seen_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *seen, number, limit])
        return cursor.fetchall()


def search_accounts(*, query: str, limit: int = 20) -> list[SearchHit]:
    """The accounts best matching ``query``, best first; [] when nothing in it is searchable."""
    terms = query_terms(query)
    try:
        limit = max(1, min(int(limit), MAX_LIMIT))
    except (TypeError, ValueError):
        limit = 20
    if not terms:
        return []
    rows: list[tuple] = []
    for prefixes in search_tiers(terms):
        seen = [row[0] for row in rows]
        rows.extend(_tier_rows(terms, prefixes, seen=seen, limit=limit - len(rows)))
        if len(rows) >= limit:
            break
    return _hits(rows, terms)


def _hits(rows: Sequence[tuple], terms: Sequence[QueryTerm]) -> list[SearchHit]:
    """Shape the ranked rows for display, saying which fields matched."""
    extra = _contact_fields(
        customer_ids={row[9] for row in rows}, premise_ids={row[10] for row in rows}
    )
    hits = []
    for acc_id, number, status, name, st_no, st_name, unit, city, apn, cust_id, prem_id in rows:
        street = " ".join(part for part in (st_no, st_name, unit) if part)
        fields = {
            "number": [number],
            "name": [name],
            "service_address": [f"{street} {city}"],
            "phone": extra[("phone", cust_id)],
            "email": extra[("email", cust_id)],
            "mailing_address": extra[("mailing_address", cust_id)],
            "meter": extra[("meter", prem_id)],
            "apn": [apn] if apn else [],
        }
        hits.append(
            SearchHit(
                account_id=acc_id,
                number=number,
                display_name=name,
                service_address=f"{street}, {city}",
                status=status,
                matched=tuple(fields_matched(terms, fields)),
            )
        )
    return hits


def _contact_fields(*, customer_ids: set[int], premise_ids: set[int]) -> dict:
    """Phones, e-mails, current mailing address and current meters, in one query."""
    found: dict[tuple[str, int], list[str]] = defaultdict(list)
    if not customer_ids:
        return found
    cids = ", ".join(str(int(i)) for i in customer_ids)
    pids = ", ".join(str(int(i)) for i in premise_ids)
    # Only integers are interpolated (ids from our own query), so the SQL cannot be injected.
    sql = (
        "SELECT 'phone', customer_id, number FROM customers_customerphone "
        f"WHERE customer_id IN ({cids}) "
        "UNION ALL SELECT 'email', customer_id, address FROM customers_customeremail "
        f"WHERE customer_id IN ({cids}) "
        "UNION ALL SELECT 'mailing_address', customer_id, "
        "line1 || ' ' || line2 || ' ' || city || ' ' || postal_code "
        f"FROM customers_mailingaddress WHERE customer_id IN ({cids}) AND valid_to IS NULL "
        "UNION ALL SELECT 'meter', i.premise_id, m.serial FROM metering_meterinstallation i "
        "JOIN metering_meter m ON m.id = i.meter_id "
        f"WHERE i.premise_id IN ({pids}) AND i.removed_on IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for kind, key, value in cursor.fetchall():
            found[(kind, key)].append(value)
    return found
