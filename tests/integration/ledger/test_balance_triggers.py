"""I1 in the schema (PostgreSQL): the balance triggers refuse what the services never write.

Rows are written with raw SQL here, around the services, as a faulty caller or a hand-run
statement would. The statement-level trigger on postings checks every entry an INSERT
touched; each INSERT statement on entries queues its ids as one row of
``ledger_entry_check``, whose deferred trigger refuses, at commit, an entry with no postings.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from cistern.ledger import codes
from cistern.ledger.models import JournalEntry, LedgerAccount, Posting
from cistern.ledger.services import Leg, journal_entry_post

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

DAY = date(2025, 3, 1)


def _ledger_id(code: str) -> int:
    return LedgerAccount.objects.get(code=code).pk


def _new_entry(cursor, key: str) -> int:  # type: ignore[no-untyped-def]
    cursor.execute(
        "INSERT INTO ledger_journalentry (idempotency_key, content_hash, effective_date,"
        " recorded_at, source, source_ref, memo) VALUES (%s, '', %s, now(), 'test', '', '')"
        " RETURNING id",
        [key, DAY],
    )
    return cursor.fetchone()[0]


def _new_entries(cursor, keys: list[str]) -> list[int]:  # type: ignore[no-untyped-def]
    """One INSERT statement for all the entries; their ids in the order of ``keys``."""
    values = ", ".join(["(%s, '', %s, now(), 'test', '', '')"] * len(keys))
    cursor.execute(
        "INSERT INTO ledger_journalentry (idempotency_key, content_hash, effective_date,"
        f" recorded_at, source, source_ref, memo) VALUES {values} RETURNING id, idempotency_key",
        [v for key in keys for v in (key, DAY)],
    )
    ids = {key: entry_id for entry_id, key in cursor.fetchall()}
    return [ids[key] for key in keys]


def _balanced_rows(ids: list[int]) -> list[tuple[int, str, int]]:
    return [
        (i, code, cents)
        for i in ids
        for code, cents in ((codes.CASH_CLEARING, 3), (codes.REV_WATER, -3))
    ]


def _queued_checks(cursor) -> int:  # type: ignore[no-untyped-def]
    cursor.execute("SELECT COUNT(*) FROM ledger_entry_check")
    return cursor.fetchone()[0]


def _insert_postings(cursor, rows: list[tuple[int, str, int]]) -> None:  # type: ignore[no-untyped-def]
    """One INSERT statement for all ``(entry id, ledger code, cents)`` rows."""
    values = ", ".join(["(%s, %s, %s, '', %s)"] * len(rows))
    params = [v for entry_id, code, cents in rows for v in (entry_id, _ledger_id(code), cents, DAY)]
    cursor.execute(
        "INSERT INTO ledger_posting (entry_id, ledger_account_id, amount_cents,"
        f" charge_category, effective_date) VALUES {values}",
        params,
    )


@pytest.fixture
def entry(finance, account) -> JournalEntry:
    return journal_entry_post(
        idempotency_key="bill:1",
        effective_date=DAY,
        source="bill",
        legs=[Leg(codes.AR_WATER, 4200, account.id, "water"), Leg(codes.REV_WATER, -4200)],
        actor=finance,
    )


def test_an_unbalanced_entry_is_refused_by_the_insert_of_its_postings(finance) -> None:
    with (
        pytest.raises(DatabaseError, match=r"journal entry \d+ does not balance: 1 cents over 2"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        entry_id = _new_entry(cursor, "raw:unbalanced")
        _insert_postings(
            cursor, [(entry_id, codes.CASH_CLEARING, 101), (entry_id, codes.REV_WATER, -100)]
        )
    assert not JournalEntry.objects.filter(idempotency_key="raw:unbalanced").exists()


def test_an_entry_with_one_leg_is_refused(finance) -> None:
    with (
        pytest.raises(DatabaseError, match=r"does not balance: 100 cents over 1 postings"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        entry_id = _new_entry(cursor, "raw:one-leg")
        _insert_postings(cursor, [(entry_id, codes.CASH_CLEARING, 100)])


def test_one_bad_entry_among_many_in_one_statement_refuses_the_statement(finance) -> None:
    with (
        pytest.raises(DatabaseError, match="does not balance"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        ids = [_new_entry(cursor, f"raw:many:{n}") for n in range(50)]
        rows = [
            (i, code, cents)
            for i in ids
            for code, cents in ((codes.CASH_CLEARING, 5), (codes.REV_WATER, -5))
        ]
        rows[-1] = (ids[-1], codes.REV_WATER, -4)
        _insert_postings(cursor, rows)
    assert Posting.objects.count() == 0


def test_an_entry_without_postings_is_refused_when_the_constraints_are_checked(finance) -> None:
    with (
        pytest.raises(DatabaseError, match=r"does not balance: 0 cents over 0 postings"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        _new_entry(cursor, "raw:empty")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would check
    assert not JournalEntry.objects.filter(idempotency_key="raw:empty").exists()


def test_postings_added_later_that_unbalance_an_entry_are_refused(entry) -> None:
    with (
        pytest.raises(
            DatabaseError, match=rf"journal entry {entry.pk} does not balance: 1 cents over 3"
        ),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        _insert_postings(cursor, [(entry.pk, codes.REV_WATER, 1)])
    assert sorted(entry.postings.values_list("amount_cents", flat=True)) == [-4200, 4200]


def test_balanced_entries_written_in_one_statement_pass(finance) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        ids = [_new_entry(cursor, f"raw:ok:{n}") for n in range(3)]
        _insert_postings(
            cursor,
            [
                (i, code, cents)
                for i in ids
                for code, cents in ((codes.CASH_CLEARING, 7), (codes.REV_WATER, -7))
            ],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert Posting.objects.filter(entry_id__in=ids).count() == 6


@pytest.mark.django_db(transaction=True)
def test_a_real_commit_of_an_entry_without_postings_is_refused(finance) -> None:
    """No test transaction around this one: the deferred trigger fires at the real COMMIT."""
    with (
        pytest.raises(DatabaseError, match="does not balance"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        _new_entry(cursor, "raw:commit-empty")
    assert not JournalEntry.objects.filter(idempotency_key="raw:commit-empty").exists()


def test_one_entry_without_postings_among_many_inserted_at_once_is_named(finance) -> None:
    keys = [f"raw:batch:{n}" for n in range(40)]
    with (
        pytest.raises(DatabaseError) as refused,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        ids = _new_entries(cursor, keys)
        empty = ids[17]
        _insert_postings(cursor, _balanced_rows([i for i in ids if i != empty]))
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would check
    assert f"journal entry {empty} does not balance: 0 cents over 0 postings" in str(refused.value)
    assert not JournalEntry.objects.filter(idempotency_key__in=keys).exists()


def test_entries_of_two_statements_pass_once_both_have_postings(finance) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        first = _new_entries(cursor, [f"raw:first:{n}" for n in range(5)])
        second = _new_entries(cursor, [f"raw:second:{n}" for n in range(5)])
        assert _queued_checks(cursor) == 2  # one per INSERT statement, not one per entry
        _insert_postings(cursor, _balanced_rows(first + second))
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert _queued_checks(cursor) == 0
    assert Posting.objects.filter(entry_id__in=first + second).count() == 20


def test_an_insert_of_no_entries_queues_no_check(finance) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journalentry (idempotency_key, content_hash, effective_date,"
            " recorded_at, source, source_ref, memo)"
            " SELECT 'never', '', %s, now(), 'test', '', '' WHERE false",
            [DAY],
        )
        assert _queued_checks(cursor) == 0


def test_a_posted_entry_leaves_no_check_queued(entry) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert _queued_checks(cursor) == 0


@pytest.mark.django_db(transaction=True)
def test_a_committed_bulk_insert_leaves_the_check_table_empty(finance) -> None:
    """A real COMMIT runs the queued check and the check deletes its row."""
    with transaction.atomic(), connection.cursor() as cursor:
        ids = _new_entries(cursor, [f"raw:bulk:{n}" for n in range(200)])
        _insert_postings(cursor, _balanced_rows(ids))
        assert _queued_checks(cursor) == 1
    with connection.cursor() as cursor:
        assert _queued_checks(cursor) == 0
    assert Posting.objects.filter(entry_id__in=ids).count() == 400
