"""I3: the database itself refuses to change or delete entries and postings."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from cistern.ledger import codes, db_triggers
from cistern.ledger.models import JournalEntry, Posting
from cistern.ledger.services import Leg, journal_entry_post


@pytest.fixture
def entry(finance, account) -> JournalEntry:
    return journal_entry_post(
        idempotency_key="bill:1",
        effective_date=date(2025, 3, 1),
        source="bill",
        legs=[Leg(codes.AR_WATER, 4200, account.id, "water"), Leg(codes.REV_WATER, -4200)],
        actor=finance,
    )


@pytest.mark.django_db
def test_the_append_only_triggers_are_installed() -> None:
    assert db_triggers.missing(connection) == set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        lambda e: Posting.objects.filter(entry=e).update(amount_cents=1),
        lambda e: Posting.objects.filter(entry=e).delete(),
        lambda e: JournalEntry.objects.filter(pk=e.pk).update(memo="changed"),
        lambda e: JournalEntry.objects.filter(pk=e.pk)._raw_delete(JournalEntry.objects.db),
    ],
    ids=["update posting", "delete posting", "update entry", "delete entry"],
)
def test_the_database_refuses_to_change_or_delete_the_ledger(entry, change, settings) -> None:
    settings.CISTERN_LEDGER_SQLITE_ALLOW_DELETE = False
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        change(entry)
    assert entry.postings.count() == 2
    assert JournalEntry.objects.get(pk=entry.pk).memo == ""


@pytest.mark.django_db
def test_raw_sql_cannot_change_a_posting_either(entry) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_posting SET amount_cents = amount_cents * 2")
    assert sorted(entry.postings.values_list("amount_cents", flat=True)) == [-4200, 4200]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_refuses_an_unbalanced_entry_at_commit(entry) -> None:
    with (
        pytest.raises(DatabaseError, match="does not balance"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "INSERT INTO ledger_posting (entry_id, ledger_account_id, amount_cents,"
            " charge_category, effective_date)"
            " SELECT %s, ledger_account_id, 1, '', effective_date FROM ledger_posting"
            " WHERE entry_id = %s LIMIT 1",
            [entry.pk, entry.pk],
        )


@pytest.mark.django_db
def test_sqlite_deletes_are_allowed_only_where_settings_say_so(entry, settings) -> None:
    """Test settings may allow deletes so a transactional test's flush can empty the tables."""
    settings.CISTERN_LEDGER_SQLITE_ALLOW_DELETE = True
    if connection.vendor == "sqlite":
        with transaction.atomic():
            Posting.objects.filter(entry=entry).delete()
            assert not Posting.objects.exists()
            transaction.set_rollback(True)
    else:
        with pytest.raises(DatabaseError), transaction.atomic():
            Posting.objects.filter(entry=entry).delete()
    assert entry.postings.count() == 2
