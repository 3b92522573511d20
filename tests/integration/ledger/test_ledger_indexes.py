"""The entry and posting tables' indexes, kept lean for a 100,000-bill run (ledger migration
0008), still hold the rules and still serve the queries.

An entry is reversed at most once, by a unique constraint over the entries that reverse one
(nearly none do). A posting's (customer account, date) index holds only the postings that
name a customer account; every query by account says which, which both databases' planners
read as ruling out the postings without one.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cistern.ledger import codes
from cistern.ledger.models import JournalEntry
from cistern.ledger.selectors import _receivables
from cistern.ledger.services import Leg, journal_entry_post, journal_entry_reverse

pytestmark = pytest.mark.django_db
CUSTOMER_INDEX = "ledger_posting_customer_date"


@pytest.fixture
def entry(finance, account) -> JournalEntry:
    return journal_entry_post(
        idempotency_key="bill:indexes",
        effective_date=date(2025, 3, 1),
        source="bill",
        legs=[Leg(codes.AR_WATER, 4200, account.id, "water"), Leg(codes.REV_WATER, -4200)],
        actor=finance,
    )


def _reversal_of(original: JournalEntry, key: str) -> JournalEntry:
    """A reversing entry written around the service (which would refuse a second one)."""
    return JournalEntry.objects.create(
        idempotency_key=key, content_hash="x", effective_date=original.effective_date,
        recorded_at=timezone.now(), source="reversal", reverses=original,
    )  # fmt: skip


def test_the_database_refuses_a_second_reversal_of_an_entry(finance, entry) -> None:
    # Given an entry reversed once, as the service does
    first = journal_entry_reverse(
        entry=entry, effective_date=date(2025, 3, 2), reason="wrong", actor=finance
    )
    # When a second reversal of it is written behind the service's back
    with pytest.raises(IntegrityError), transaction.atomic():
        _reversal_of(entry, "rogue-reversal")
    # Then only the first stands
    assert list(entry.reversed_by.all()) == [first]


def test_entries_that_reverse_nothing_are_not_bound_by_the_constraint(entry, account) -> None:
    # Many entries with no reversal link: the unique constraint leaves them out
    for n in range(3):
        journal_entry_post(
            idempotency_key=f"fee:{n}",
            effective_date=date(2025, 3, 1),
            source="fee",
            legs=[Leg(codes.AR_WATER, 100, account.id, "water"), Leg(codes.REV_WATER, -100)],
            actor=None,
        )
    assert JournalEntry.objects.filter(reverses__isnull=True).count() == 4


def _plan(sql: str, params: list) -> str:
    """The query's plan as text. PostgreSQL is told not to read whole tables, as it would
    for a few test rows: the plan then shows whether an index can answer the query."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET LOCAL enable_seqscan = on")
            return plan
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(row[-1] for row in cursor.fetchall())


def test_the_balance_query_uses_the_partial_customer_index(entry, account) -> None:
    query = _receivables(account_id=account.pk).values("amount_cents").query
    sql, params = query.sql_with_params()
    assert CUSTOMER_INDEX in _plan(sql, list(params))


def test_the_aging_query_reads_the_date_range_from_the_customer_index(entry, account) -> None:
    rows = _receivables(account_id=account.pk).filter(effective_date__lte=date(2025, 3, 31))
    sql, params = rows.values("effective_date", "amount_cents").query.sql_with_params()
    plan = _plan(sql, list(params))
    assert CUSTOMER_INDEX in plan
    assert "effective_date" in plan  # an index condition, not a filter on the table's rows


def test_a_query_over_many_accounts_at_once_uses_the_partial_customer_index(entry, account) -> None:
    # As the payment allocation reads (``select_in``): one array on PostgreSQL, IN elsewhere
    many = [account.pk, *range(10_000, 10_300)]
    if connection.vendor == "postgresql":
        test, params = "= ANY(%s)", [many]
    else:
        test, params = f"IN ({', '.join(['%s'] * len(many))})", many
    sql = (
        "SELECT p.customer_account_id, p.effective_date, p.amount_cents FROM ledger_posting p"
        f" WHERE p.customer_account_id {test} ORDER BY p.customer_account_id, p.effective_date"
    )
    assert CUSTOMER_INDEX in _plan(sql, params)
