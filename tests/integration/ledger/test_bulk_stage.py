"""A plan's entries are staged before the write transaction (SQLite) and posted from there.

``journal_entries_stage_plan`` binds a plan's entries and category sums into temporary
scratch tables on SQLite (no lock on the database; a no-op on PostgreSQL);
``journal_entries_post_plan`` then writes the entries it finds new from them. Worked
examples, on both databases: what is written is exactly the plan's entries still to post,
in leg order, whatever happened between the staging and the post (entries dropped out,
another plan staged, a write that failed), and nothing is left staged after a write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from cistern.core.models import AuditEvent
from cistern.ledger import codes
from cistern.ledger.bulk_set import (
    CategoryBatch,
    CategoryPlan,
    EntryHeader,
    journal_entries_plan_by_category,
    journal_entries_post_plan,
    journal_entries_stage_plan,
)
from cistern.ledger.bulk_stage import ENTRY_ROWS
from cistern.ledger.checks import ledger_check
from cistern.ledger.models import JournalEntry, Posting
from cistern.ledger.services import Leg, journal_entry_post
from tests.integration.ledger.faults import (
    REFUSED,
    refuse_postings_of,
    staged_rows,
    stop_refusing,
)
from tests.integration.shared_database import database_on_file

pytestmark = pytest.mark.django_db
NOTHING_STAGED = (0, 0, 0)
SQLITE = connection.vendor == "sqlite"
MARCH = date(2025, 3, 10)
Line = tuple[int, str, int, int]  # ref, category, cents, seq


def _plan(lines: list[Line], accounts: dict[int, int], prefix: str = "stage") -> CategoryPlan:
    """The plan of one entry per ref of ``lines``, on ``accounts[ref]``."""
    refs = sorted({line[0] for line in lines})
    headers = [
        EntryHeader(
            ref_id=ref,
            idempotency_key=f"{prefix}:{ref}",
            effective_date=MARCH,
            customer_account_id=accounts[ref],
            source_ref=f"R{ref}",
            memo=f"memo {ref}",
        )
        for ref in refs
    ]
    one = "SELECT %s AS ref_id, %s AS category, %s AS amount_cents, %s AS seq"
    batch = CategoryBatch(
        source="bill",
        headers=headers,
        lines_sql=" UNION ALL ".join([one] * len(lines)),
        lines_params=[value for line in lines for value in line],
        receivable_for_category=codes.RECEIVABLE_FOR_CATEGORY,
        revenue_for_category=codes.REVENUE_FOR_CATEGORY,
    )
    return journal_entries_plan_by_category(batch=batch)


def _legs(lines: list[Line], ref: int, account_id: int) -> list[Leg]:
    """The legs ``bill_legs`` makes of a ref's lines: per category (first line first) its
    sum to the receivable, negated to the revenue."""
    sums: dict[str, int] = {}
    for _ref, category, cents, _seq in sorted((x for x in lines if x[0] == ref), key=_seq_of):
        sums[category] = sums.get(category, 0) + cents
    legs = []
    for category, cents in sums.items():
        legs += [
            Leg(codes.RECEIVABLE_FOR_CATEGORY[category], cents, account_id, category),
            Leg(codes.REVENUE_FOR_CATEGORY[category], -cents),
        ]
    return legs


def _seq_of(line: Line) -> int:
    return line[3]


def _written(entry_id: int) -> list[Leg]:
    postings = Posting.objects.filter(entry_id=entry_id).order_by("id")
    return [
        Leg(p.ledger_account.code, p.amount_cents, p.customer_account_id, p.charge_category)
        for p in postings.select_related("ledger_account")
    ]


def _post(plan: CategoryPlan, actor, refs=None):
    with transaction.atomic():
        return journal_entries_post_plan(plan=plan, actor=actor, refs=refs)


LINES: list[Line] = [
    (1, "water", 300, 1), (1, "sewer", 450, 2), (1, "water", 5, 3),
    (2, "water", 120, 1),
    (3, "late_fee", 25, 1), (3, "water", 10, 2),
]  # fmt: skip


def test_a_staged_plan_posts_its_entries_in_leg_order_binding_nothing_in_the_transaction(
    finance, account, other_account
) -> None:
    # given a plan of three entries, staged before the transaction
    owners = {1: account.pk, 2: other_account.pk, 3: account.pk}
    plan = _plan(LINES, owners)
    journal_entries_stage_plan(plan=plan)
    assert staged_rows() == ((3, 5, 1) if SQLITE else NOTHING_STAGED)
    # when it posts
    with CaptureQueriesContext(connection) as queries:
        result = _post(plan, finance)
    # then no value was bound into the scratch tables inside the transaction (SQLite)
    assert not [q for q in queries.captured_queries if f"INSERT INTO {ENTRY_ROWS}" in q["sql"]]
    # and every entry is written with its own legs, in order, and its audit row
    assert result.created == 3 and not result.refused
    for ref, owner in owners.items():
        entry_id = result.entry_ids[ref]
        assert _written(entry_id) == _legs(LINES, ref, owner)
        event = AuditEvent.objects.get(subject_id=str(entry_id), action="ledger.entry.post")
        assert event.account_id == owner and event.reason == f"memo {ref}"
    # and the single path with the same legs replays the first (same content hash)
    replay = journal_entry_post(
        idempotency_key="stage:1", effective_date=MARCH, source="bill", source_ref="R1",
        memo="memo 1", legs=_legs(LINES, 1, account.pk), actor=finance,
    )  # fmt: skip
    assert replay.pk == result.entry_ids[1]
    # and nothing is left staged
    assert staged_rows() == NOTHING_STAGED
    assert all(not problems for problems in ledger_check().values())


def test_entries_that_dropped_out_after_staging_are_not_written(
    finance, account, other_account
) -> None:
    # given a staged plan of three entries; then the first is posted elsewhere with the
    # same content (a replay), and the post is asked for the first two only
    owners = {1: account.pk, 2: other_account.pk, 3: account.pk}
    plan = _plan(LINES, owners)
    journal_entries_stage_plan(plan=plan)
    earlier = journal_entry_post(
        idempotency_key="stage:1", effective_date=MARCH, source="bill", source_ref="R1",
        memo="memo 1", legs=_legs(LINES, 1, account.pk), actor=finance,
    )  # fmt: skip
    # when it posts
    result = _post(plan, finance, refs=[1, 2])
    # then the first is replayed, the second written, the third (not asked for) not
    assert (result.created, result.replayed) == (1, 1)
    assert result.entry_ids == {1: earlier.pk, 2: result.entry_ids[2]}
    assert _written(result.entry_ids[2]) == _legs(LINES, 2, other_account.pk)
    assert not JournalEntry.objects.filter(idempotency_key="stage:3").exists()
    legs = _legs(LINES, 1, account.pk) + _legs(LINES, 2, other_account.pk)
    assert Posting.objects.count() == len(legs)  # the earlier entry's and the second's
    assert staged_rows() == NOTHING_STAGED
    # and the third posts later from a plan of its own, staged nowhere
    later = _post(_plan(LINES, owners), finance, refs=[3])
    assert _written(later.entry_ids[3]) == _legs(LINES, 3, account.pk)
    assert all(not problems for problems in ledger_check().values())


def test_a_plan_whose_staging_was_replaced_stages_itself_again(
    finance, account, other_account
) -> None:
    # given plan A staged, then plan B (other entries) staged over it
    a = _plan(LINES, {1: account.pk, 2: other_account.pk, 3: account.pk}, prefix="a")
    b_lines: list[Line] = [(7, "sewer", 999, 1), (8, "water", 42, 1)]
    b = _plan(b_lines, {7: other_account.pk, 8: other_account.pk}, prefix="b")
    journal_entries_stage_plan(plan=a)
    journal_entries_stage_plan(plan=b)
    # when A posts, then B
    first = _post(a, finance)
    second = _post(b, finance)
    # then each wrote exactly its own entries, with their own legs
    assert JournalEntry.objects.filter(idempotency_key__startswith="a:").count() == 3
    assert JournalEntry.objects.filter(idempotency_key__startswith="b:").count() == 2
    for ref, owner in {1: account.pk, 2: other_account.pk, 3: account.pk}.items():
        assert _written(first.entry_ids[ref]) == _legs(LINES, ref, owner)
    for ref in (7, 8):
        assert _written(second.entry_ids[ref]) == _legs(b_lines, ref, other_account.pk)
    assert staged_rows() == NOTHING_STAGED
    assert all(not problems for problems in ledger_check().values())


def test_a_failed_write_leaves_nothing_that_a_later_batch_posts(
    finance, account, other_account
) -> None:
    # given plan A staged, whose write fails (the database refuses a posting of it)
    a = _plan(LINES, {1: account.pk, 2: other_account.pk, 3: account.pk}, prefix="a")
    journal_entries_stage_plan(plan=a)
    refuse_postings_of(other_account.pk)
    with pytest.raises(DatabaseError, match=REFUSED):
        _post(a, finance)
    assert JournalEntry.objects.count() == 0
    # when another batch (B, not staged) posts
    b_lines: list[Line] = [(7, "sewer", 999, 1)]
    b = _plan(b_lines, {7: account.pk}, prefix="b")
    result = _post(b, finance)
    # then it wrote its own entry only, with its own legs
    assert [e.idempotency_key for e in JournalEntry.objects.all()] == ["b:7"]
    assert _written(result.entry_ids[7]) == _legs(b_lines, 7, account.pk)
    assert Posting.objects.count() == 2
    assert staged_rows() == NOTHING_STAGED
    assert all(not problems for problems in ledger_check().values())


def test_a_plan_whose_write_failed_posts_whole_when_tried_again(
    finance, account, other_account
) -> None:
    # given plan A staged, whose first write fails
    owners = {1: account.pk, 2: other_account.pk, 3: account.pk}
    a = _plan(LINES, owners)
    journal_entries_stage_plan(plan=a)
    refuse_postings_of(other_account.pk)
    with pytest.raises(DatabaseError, match=REFUSED):
        _post(a, finance)
    # when the cause is fixed and A posts again
    stop_refusing()
    with CaptureQueriesContext(connection) as queries:
        result = _post(a, finance)
    # then all three entries are written once, each with its own legs, on SQLite from the
    # rows staged before the first try (its rollback restored them with their token)
    assert not [q for q in queries.captured_queries if f"INSERT INTO {ENTRY_ROWS}" in q["sql"]]
    assert result.created == 3 and JournalEntry.objects.count() == 3
    for ref, owner in owners.items():
        assert _written(result.entry_ids[ref]) == _legs(LINES, ref, owner)
    assert staged_rows() == NOTHING_STAGED
    assert all(not problems for problems in ledger_check().values())


@pytest.fixture
def shared_database(transactional_db, tmp_path) -> Iterator[None]:
    """A database a second connection can open (``tests.integration.shared_database``), its
    busy timeout cut to 0.1 s (a wait for a lock fails fast instead of waiting 20 s)."""
    with database_on_file(tmp_path, busy_timeout_ms=100):
        yield


@contextmanager
def _another_process_writing() -> Iterator[None]:
    """Another connection holding the database's write lock (SQLite) or an exclusive lock on
    the ledger's entries (PostgreSQL) for the duration, then committing."""
    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE ledger_ledgeraccount SET name = name WHERE id = 0")
    else:
        other = psycopg.connect(**connection.get_connection_params())
        other.execute("LOCK TABLE ledger_journalentry IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        other.commit()  # (SQLite: the driver's commit ends the explicit BEGIN too)
        other.close()


def test_staging_waits_for_no_other_writer_and_the_post_uses_it(
    shared_database, finance, account, other_account
) -> None:
    # given a plan, and another process writing (holding SQLite's one write lock)
    owners = {1: account.pk, 2: other_account.pk, 3: account.pk}
    plan = _plan(LINES, owners)
    # when the plan is staged outside any transaction, meanwhile
    with _another_process_writing():
        journal_entries_stage_plan(plan=plan)  # (SQLite: "database is locked" if it waited)
    # then, once the other process has committed, the post writes the staged rows
    with CaptureQueriesContext(connection) as queries:
        result = _post(plan, finance)
    assert not [q for q in queries.captured_queries if f"INSERT INTO {ENTRY_ROWS}" in q["sql"]]
    for ref, owner in owners.items():
        assert _written(result.entry_ids[ref]) == _legs(LINES, ref, owner)
    assert staged_rows() == NOTHING_STAGED
    assert all(not problems for problems in ledger_check().values())


def test_temporary_tables_roll_back_with_a_savepoint(db) -> None:
    # What bulk_stage's docstring relies on: SQLite undoes writes to a temporary table when
    # a savepoint rolls back, as it does for the main database's tables (as PostgreSQL does)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE scratch_check (n integer)")
        cursor.execute("INSERT INTO scratch_check VALUES (1)")
        with pytest.raises(RuntimeError), transaction.atomic():
            cursor.execute("INSERT INTO scratch_check VALUES (2)")
            cursor.execute("DELETE FROM scratch_check WHERE n = 1")
            raise RuntimeError("roll back")
        cursor.execute("SELECT n FROM scratch_check")
        assert cursor.fetchall() == [(1,)]
