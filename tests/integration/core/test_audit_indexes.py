"""The audit trail's indexes (core migration 0007) still serve its readers.

One index on ``action`` (``varchar_pattern_ops`` on PostgreSQL) answers both the filter's
prefix match and an exact name; the subject index holds only customers' events, which is
all the account history looks up by subject.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cistern.core.audit import audit_record
from cistern.core.models import AuditEvent
from cistern.core.selectors import audit_action_names
from cistern.customers.account_page import account_audit_events
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.ledger.makers import customer_account

pytestmark = pytest.mark.django_db


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


def _plan_of(rows) -> str:
    sql, params = rows.query.sql_with_params()
    return _plan(sql, list(params))


def test_the_action_names_come_once_each_in_order_without_reading_every_event() -> None:
    # Given several events under two names
    actor = staff_user(Role.CSR_II)
    for action in ("zz.second", "zz.first", "zz.second", "zz.second"):
        audit_record(actor=actor, action=action, subject=actor)
    # When the filter's suggestions are listed
    with CaptureQueriesContext(connection) as queries:
        names = audit_action_names()
    # Then each name comes once, sorted, from one query that selects only the names
    assert [n for n in names if n.startswith("zz.")] == ["zz.first", "zz.second"]
    assert names == sorted(set(names))
    assert len(queries) == 1 and "occurred_at" not in queries[0]["sql"]


def test_an_exact_action_is_found_by_the_action_index() -> None:
    assert "core_audit_action" in _plan_of(AuditEvent.objects.filter(action="ledger.period.close"))


@pytest.mark.postgres
def test_an_action_prefix_is_found_by_the_action_index_on_postgresql() -> None:
    # The audit filter's lookup (SQLite's LIKE ignores case, so no index serves it there)
    plan = _plan_of(AuditEvent.objects.filter(action__startswith="customer."))
    assert "core_audit_action" in plan
    assert "~>=~" in plan  # the prefix bounds are index conditions, in any collation


def test_the_account_history_finds_customer_events_by_the_subject_index() -> None:
    account = customer_account(last_name="Alvarez")
    plan = _plan_of(account_audit_events(account=account))
    assert "core_audit_customer_subject" in plan
