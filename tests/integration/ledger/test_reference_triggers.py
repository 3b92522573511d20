"""Referential integrity of bills, lines, entries, postings, audit rows and payments
(``ledger.db_references``).

PostgreSQL checks these references with statement-level triggers instead of foreign keys;
SQLite keeps its foreign keys. Either way a row that names a missing parent, or the delete
of a parent that rows still name, is refused and changes nothing. These tests commit
(``transaction=True``) because SQLite checks its deferred foreign keys at commit.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from cistern.billing.models import Bill, BillLine, BillRun
from cistern.core.models import AuditEvent
from cistern.customers.models import Account
from cistern.ledger import codes, db_references
from cistern.ledger.checks import check_r1_references
from cistern.ledger.models import JournalEntry, LedgerAccount, Posting
from cistern.ledger.services import Leg, journal_entry_post
from cistern.payments.models import Payment
from cistern.rates.models import RateVersion
from cistern.staff.models import User
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db(transaction=True)
MISSING = 987654321
PG = "postgresql"


@pytest.fixture
def world(finance, account):
    """A posted entry, a run with one bill and one line under a rate version, an audit row."""
    water, _sewer = makers.rate_schedules(finance)
    entry = journal_entry_post(
        idempotency_key="bill:refs",
        effective_date=date(2025, 3, 1),
        source="bill",
        legs=[Leg(codes.AR_WATER, 4200, account.id, "water"), Leg(codes.REV_WATER, -4200)],
        actor=finance,
    )
    run = BillRun.objects.create(
        cycle=makers.cycle(), period_start=date(2025, 2, 1), period_end=date(2025, 2, 28),
        bill_date=date(2025, 3, 1), due_date=date(2025, 3, 21),
    )  # fmt: skip
    bill = Bill.objects.create(**_bill_fields(run.pk, account.pk, entry.pk))
    BillLine.objects.create(**_line_fields(bill.pk, water.pk))
    return {"entry": entry, "run": run, "bill": bill, "water": water, "account": account}


def _bill_fields(run_id: int, account_id: int, entry_id: int | None) -> dict:
    return {
        "run_id": run_id, "account_id": account_id, "journal_entry_id": entry_id,
        "period_start": date(2025, 2, 1), "period_end": date(2025, 2, 28),
        "bill_date": date(2025, 3, 1), "due_date": date(2025, 3, 21), "total_cents": 4200,
    }  # fmt: skip


def _line_fields(bill_id: int, rate_version_id: int | None, seq: int = 1) -> dict:
    return {
        "bill_id": bill_id, "rate_version_id": rate_version_id, "seq": seq, "code": "w",
        "label": "Water", "service_start": date(2025, 2, 1), "service_end": date(2025, 3, 1),
        "days": 28, "proration": 1, "unit": "ccf", "quantity": 4, "unit_price": "10.5",
        "amount_cents": 4200, "category": "water",
    }  # fmt: skip


def _refused(write, match: str) -> None:
    """``write`` is refused (at the statement on PostgreSQL, at commit on SQLite)."""
    pattern = match if connection.vendor == PG else "FOREIGN KEY constraint failed"
    with pytest.raises(IntegrityError, match=pattern), transaction.atomic():
        write()


def _insert_posting_pair(entry_id: int, account_id: int, ledger_account_id: int) -> None:
    cash = LedgerAccount.objects.get(code=codes.CASH_CLEARING).pk
    Posting.objects.bulk_create(
        [
            Posting(entry_id=entry_id, ledger_account_id=ledger_account_id, amount_cents=5,
                    customer_account_id=account_id, effective_date=date(2025, 3, 1)),
            Posting(entry_id=entry_id, ledger_account_id=cash, amount_cents=-5,
                    effective_date=date(2025, 3, 1)),
        ]
    )  # fmt: skip


def _new_entry(**fields) -> int:
    return JournalEntry.objects.create(
        **{"idempotency_key": "refs:new", **fields}, content_hash="x",
        effective_date=date(2025, 3, 1), recorded_at=timezone.now(), source="test",
    ).pk  # fmt: skip


def _entry_by(user: User, account_id: int) -> int:
    """A balanced entry posted by ``user``, written directly: no audit row names the user.
    Call it in a transaction: on PostgreSQL an entry commits only with its postings."""
    entry_id = _new_entry(actor=user, idempotency_key=f"refs:{user.username}")
    ar_water = LedgerAccount.objects.get(code=codes.AR_WATER).pk
    _insert_posting_pair(entry_id, account_id, ar_water)
    return entry_id


@pytest.fixture
def actors(world) -> None:
    """A user who posted one entry and one in one audit row, each named nowhere else."""
    poster = User.objects.create(username="poster")
    with transaction.atomic():
        _entry_by(poster, world["account"].pk)
    audited = User.objects.create(username="audited")
    AuditEvent.objects.create(
        occurred_at=timezone.now(), actor=audited, action="t", subject_type="t", subject_id="1"
    )


def _payment(w, **refs) -> Payment:
    return Payment.objects.create(
        **{"account_id": w["account"].pk, **refs}, amount_cents=500, tender="check",
        channel="lockbox", received_on=date(2025, 3, 1), idempotency_key="refs:pay",
        created_at=timezone.now(),
    )  # fmt: skip


ORPHAN_INSERTS = {
    "bill line -> bill": lambda w: BillLine.objects.create(**_line_fields(MISSING, None)),
    "bill line -> rate version": lambda w: BillLine.objects.create(
        **_line_fields(w["bill"].pk, MISSING, seq=2)
    ),
    "bill -> account": lambda w: Bill.objects.create(**_bill_fields(w["run"].pk, MISSING, None)),
    "bill -> run": lambda w: Bill.objects.create(
        **{**_bill_fields(MISSING, w["account"].pk, None), "period_start": date(2025, 1, 1)}
    ),
    "bill -> journal entry": lambda w: Bill.objects.create(
        **{**_bill_fields(w["run"].pk, w["account"].pk, MISSING), "period_end": date(2025, 3, 1)}
    ),
    "posting -> entry": lambda w: _insert_posting_pair(
        MISSING, w["account"].pk, LedgerAccount.objects.get(code=codes.AR_WATER).pk
    ),
    "posting -> customer account": lambda w: _insert_posting_pair(
        _new_entry(), MISSING, LedgerAccount.objects.get(code=codes.AR_WATER).pk
    ),
    "posting -> ledger account": lambda w: _insert_posting_pair(
        _new_entry(), w["account"].pk, MISSING
    ),
    "entry -> actor": lambda w: _new_entry(actor_id=MISSING),
    "entry -> reversed entry": lambda w: _new_entry(reverses_id=MISSING),
    "audit event -> actor": lambda w: AuditEvent.objects.create(
        occurred_at=timezone.now(), actor_id=MISSING, action="t", subject_type="t", subject_id="1"
    ),
    "payment -> account": lambda w: _payment(w, account_id=MISSING),
    "payment -> batch": lambda w: _payment(w, batch_id=MISSING),
    "payment -> receipt": lambda w: _payment(w, receipt_id=MISSING),
    "payment -> entry": lambda w: _payment(w, entry_id=MISSING),
    "payment -> creator": lambda w: _payment(w, created_by_id=MISSING),
}


@pytest.mark.parametrize("write", ORPHAN_INSERTS.values(), ids=ORPHAN_INSERTS.keys())
def test_a_row_naming_a_missing_parent_is_refused_and_changes_nothing(world, write) -> None:
    counts = _counts()
    _refused(lambda: write(world), f"= {MISSING} refers to no row of")
    assert _counts() == counts


def test_moving_a_bill_to_a_missing_run_is_refused(world) -> None:
    _refused(
        lambda: Bill.objects.filter(pk=world["bill"].pk).update(run_id=MISSING),
        f"billing_bill.run_id = {MISSING} refers to no row of billing_billrun",
    )
    assert Bill.objects.get(pk=world["bill"].pk).run_id == world["run"].pk


PARENT_DELETES = {
    "bill with lines": (lambda w: Bill.objects.filter(pk=w["bill"].pk), "billing_billline"),
    "rate version in a line": (
        lambda w: RateVersion.objects.filter(pk=w["water"].pk),
        "billing_billline.rate_version_id",
    ),
    "run with bills": (lambda w: BillRun.objects.filter(pk=w["run"].pk), "billing_bill.run_id"),
    "account with bills and postings": (
        lambda w: Account.objects.filter(pk=w["account"].pk),
        "still referenced by (ledger_posting.customer_account_id|billing_bill.account_id)",
    ),
    "chart account with postings": (
        lambda w: LedgerAccount.objects.filter(code=codes.AR_WATER),
        "ledger_posting.ledger_account_id",
    ),
    "user in the audit trail": (
        lambda w: User.objects.filter(username="audited"),
        "core_auditevent.actor_id",
    ),
    "user who posted an entry": (
        lambda w: User.objects.filter(username="poster"),
        "ledger_journalentry.actor_id",
    ),
}


@pytest.mark.parametrize("case", PARENT_DELETES.values(), ids=PARENT_DELETES.keys())
def test_deleting_a_parent_still_referenced_is_refused(world, actors, case) -> None:
    # Around Django's on_delete (which would refuse or cascade in Python first): the raw
    # delete is what a hand edit or a bypassing import would do.
    rows, match = case
    query = rows(world)
    pks = list(query.values_list("pk", flat=True))
    _refused(lambda: query._raw_delete(query.db), match)
    assert list(query.model.objects.filter(pk__in=pks).values_list("pk", flat=True)) == pks


def test_deleting_a_bill_deletes_its_lines_first_and_passes(world) -> None:
    Bill.objects.filter(pk=world["bill"].pk).delete()  # on_delete=CASCADE, in Python
    assert not BillLine.objects.exists()


def test_ledger_check_finds_no_orphans_and_no_missing_reference_trigger(world) -> None:
    assert check_r1_references() == []
    assert db_references.missing(connection) == set()


@pytest.mark.postgres
def test_ledger_check_reports_an_orphan_the_triggers_were_bypassed_for(world) -> None:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        BillLine.objects.create(**_line_fields(MISSING, None))
        problems = check_r1_references()
        transaction.set_rollback(True)
    assert any(f"bill_id = {MISSING} refers to no billing_bill row" in p for p in problems)


@pytest.mark.postgres
def test_ledger_check_reports_an_entry_naming_a_missing_actor_or_original(world) -> None:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        entry_id = _new_entry(actor_id=MISSING, reverses_id=MISSING + 1)
        problems = check_r1_references()
        transaction.set_rollback(True)
    assert problems == [
        f"ledger_journalentry row {entry_id}: actor_id = {MISSING} refers to no staff_user row",
        f"ledger_journalentry row {entry_id}: reverses_id = {MISSING + 1} refers to no "
        "ledger_journalentry row",
    ]


@pytest.mark.postgres
def test_the_high_volume_foreign_keys_are_gone_on_postgresql(world) -> None:
    with connection.cursor() as cursor:
        for ref in db_references.REFERENCES:
            assert db_references._foreign_keys(cursor, ref) == [], ref


# --- Locks on the parents (PostgreSQL) -------------------------------------------------------


def _delete_from_another_connection(table: str, pk: int) -> BaseException | int:
    """Delete the row from a second connection that waits at most 300 ms for a lock;
    returns the error it stopped on, or how many rows it deleted."""
    outcome: list[BaseException | int] = []

    def work() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '300ms'")
                cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
                outcome.append(cursor.rowcount)
        except BaseException as error:  # reported to the test
            outcome.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return outcome[0]


def _locked_by_this_transaction(table: str, pk: int) -> bool:
    """The row carries a lock (or a change) of this transaction: its xmax is our xid."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT xmax::text = (pg_current_xact_id()::xid)::text FROM {table} WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()[0]


def _empty_bill(w, **fields) -> Bill:
    return Bill.objects.create(
        **{**_bill_fields(w["run"].pk, w["account"].pk, None), "period_start": date(2025, 1, 1),
           **fields}
    )  # fmt: skip


@pytest.mark.postgres
def test_a_line_locks_a_committed_bill_so_a_concurrent_delete_waits(world) -> None:
    # Given a committed bill with no lines yet
    bill = _empty_bill(world)
    # When a line for it is written and, before that commits, someone deletes the bill
    with transaction.atomic():
        BillLine.objects.create(**_line_fields(bill.pk, world["water"].pk))
        assert _locked_by_this_transaction("billing_bill", bill.pk)
        outcome = _delete_from_another_connection("billing_bill", bill.pk)
    # Then the delete waited for the writer (and gave up): the line has its bill
    assert isinstance(outcome, OperationalError) and "lock timeout" in str(outcome)
    assert BillLine.objects.filter(bill=bill).count() == 1
    assert check_r1_references() == []


@pytest.mark.postgres
def test_a_line_does_not_lock_a_bill_its_own_transaction_inserted(world) -> None:
    # Given a bill inserted by this very transaction (as a calculation chunk does)
    with transaction.atomic():
        bill = _empty_bill(world)
        # When its lines are written
        BillLine.objects.bulk_create(
            [BillLine(**_line_fields(bill.pk, world["water"].pk, seq=n)) for n in (1, 2)]
        )
        # Then they pass without locking it: nobody else can see the bill to delete it
        assert not _locked_by_this_transaction("billing_bill", bill.pk)
        assert _delete_from_another_connection("billing_bill", bill.pk) == 0
    assert BillLine.objects.filter(bill=bill).count() == 2
    assert check_r1_references() == []


@pytest.mark.postgres
def test_an_entry_locks_its_committed_actor_so_a_concurrent_delete_waits(world) -> None:
    # Given a committed user who has posted nothing yet
    user = User.objects.create(username="late")
    # When an entry by that user is written and, before it commits, someone deletes the user
    with transaction.atomic():
        entry_id = _entry_by(user, world["account"].pk)
        assert _locked_by_this_transaction("staff_user", user.pk)
        outcome = _delete_from_another_connection("staff_user", user.pk)
    # Then the delete waited for the writer (and gave up): the entry has its actor
    assert isinstance(outcome, OperationalError) and "lock timeout" in str(outcome)
    assert JournalEntry.objects.get(pk=entry_id).actor_id == user.pk
    assert check_r1_references() == []


@pytest.mark.postgres
def test_a_bill_inserted_in_a_savepoint_is_locked_like_any_other(world) -> None:
    with transaction.atomic():
        with transaction.atomic():
            bill = _empty_bill(world)
        BillLine.objects.create(**_line_fields(bill.pk, world["water"].pk))
        assert _locked_by_this_transaction("billing_bill", bill.pk)
    assert BillLine.objects.filter(bill=bill).count() == 1


@pytest.mark.postgres
def test_moving_a_bill_to_another_run_locks_that_run_against_a_concurrent_delete(world) -> None:
    other = BillRun.objects.create(
        cycle=world["run"].cycle, period_start=date(2025, 1, 1), period_end=date(2025, 1, 31),
        bill_date=date(2025, 2, 1), due_date=date(2025, 2, 21),
    )  # fmt: skip
    with transaction.atomic():
        Bill.objects.filter(pk=world["bill"].pk).update(run_id=other.pk)
        outcome = _delete_from_another_connection("billing_billrun", other.pk)
    assert isinstance(outcome, OperationalError) and "lock timeout" in str(outcome)
    assert Bill.objects.get(pk=world["bill"].pk).run_id == other.pk


@pytest.mark.postgres
def test_an_update_checks_only_the_references_it_changes(world) -> None:
    # Given a line whose bill is missing (written around the triggers, as ledger-check R1
    # would report): PostgreSQL's own foreign keys do not re-check an unchanged key either
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            BillLine.objects.create(**_line_fields(MISSING, None, seq=2))
            cursor.execute("SET LOCAL session_replication_role = origin")
        # When another column changes, the statement passes; a new missing bill is refused
        assert BillLine.objects.filter(seq=2).update(label="Water use") == 1
        _refused(
            lambda: BillLine.objects.filter(seq=2).update(bill_id=MISSING + 1),
            f"billing_billline.bill_id = {MISSING + 1} refers to no row of billing_bill",
        )
        transaction.set_rollback(True)


def _counts() -> tuple[int, ...]:
    models = (Bill, BillLine, Posting, JournalEntry, AuditEvent, Payment)
    return tuple(m.objects.count() for m in models)
