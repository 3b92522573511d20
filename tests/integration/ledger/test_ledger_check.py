"""``cistern ledger-check`` passes on a sound ledger and reports each kind of violation."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from cistern.ledger import codes
from cistern.ledger.checks import ledger_check
from cistern.ledger.models import AccountingPeriod, JournalEntry, LedgerAccount, Posting
from cistern.ledger.services import Leg, journal_entry_post, journal_entry_reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def sound_ledger(finance, account):
    entry = journal_entry_post(
        idempotency_key="bill",
        effective_date=date(2025, 1, 5),
        source="bill",
        legs=[Leg(codes.AR_WATER, 4200, account.id, "water"), Leg(codes.REV_WATER, -4200)],
        actor=finance,
    )
    journal_entry_reverse(entry=entry, effective_date=date(2025, 1, 6), reason="x", actor=finance)
    return entry


def _corrupt(sql: str, params: list) -> None:
    """Write behind the services' back, as a broken import or a hand edit would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(sql, params)


def test_a_sound_ledger_passes_with_exit_status_zero(sound_ledger) -> None:
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert "The ledger is sound." in out.getvalue()
    assert all(not problems for problems in ledger_check().values())


def test_an_unbalanced_entry_and_a_nonzero_trial_balance_fail_i1(sound_ledger) -> None:
    # Rolled back before the test ends. On PostgreSQL the balance trigger on postings
    # refuses such an entry as it is written, so triggers are off inside this savepoint
    # (``session_replication_role``, as a replica applying rows would have them): rows that
    # came in around the triggers are what ledger-check is there to catch.
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        entry = JournalEntry.objects.create(
            idempotency_key="rogue",
            content_hash="x",
            effective_date=date(2025, 1, 7),
            recorded_at=timezone.now(),
            source="rogue",
        )
        Posting.objects.create(
            entry=entry,
            ledger_account=LedgerAccount.objects.get(code=codes.CASH_CLEARING),
            amount_cents=99,
            effective_date=entry.effective_date,
        )
        out = StringIO()
        with pytest.raises(CommandError) as failed:
            call_command("ledger_check", stdout=out)
        transaction.set_rollback(True)
    assert failed.value.returncode == 1
    report = out.getvalue()
    assert "FAIL  I1" in report and f"JE{entry.pk} does not balance" in report
    assert "trial balance is 99 cents" in report


def test_a_receivable_posting_without_a_customer_fails_i2(sound_ledger) -> None:
    entry = JournalEntry.objects.create(
        idempotency_key="rogue",
        content_hash="x",
        effective_date=date(2025, 1, 7),
        recorded_at=timezone.now(),
        source="rogue",
    )
    Posting.objects.bulk_create(
        [
            Posting(
                entry=entry,
                ledger_account=LedgerAccount.objects.get(code=codes.AR_WATER),
                amount_cents=50,
                effective_date=entry.effective_date,
            ),
            Posting(
                entry=entry,
                ledger_account=LedgerAccount.objects.get(code=codes.REV_WATER),
                amount_cents=-50,
                effective_date=entry.effective_date,
            ),
        ]
    )
    problems = ledger_check()
    assert problems["I1"] == []
    assert any("lacks a customer account" in p for p in problems["I2"])
    assert any("control" in p for p in problems["I2"])


def test_a_missing_trigger_fails_i3(sound_ledger) -> None:
    if connection.vendor == "postgresql":
        _corrupt("DROP TRIGGER ledger_posting_append_only ON ledger_posting", [])
        name = "ledger_posting_append_only"
    else:
        _corrupt("DROP TRIGGER ledger_posting_no_update", [])
        name = "ledger_posting_no_update"
    assert ledger_check()["I3"] == [
        f"trigger {name} is missing: entries and postings are not protected from change"
    ]


def test_a_reversal_that_does_not_mirror_its_original_fails_i4(sound_ledger, account) -> None:
    reversal = sound_ledger.reversed_by.get()
    rogue = JournalEntry.objects.create(
        idempotency_key="rogue",
        content_hash="x",
        effective_date=date(2025, 1, 7),
        recorded_at=timezone.now(),
        source="reversal",
        reverses=reversal,
    )
    Posting.objects.bulk_create(
        [
            Posting(
                entry=rogue,
                ledger_account=LedgerAccount.objects.get(code=codes.AR_WATER),
                amount_cents=10,
                effective_date=rogue.effective_date,
                customer_account=account,
                charge_category="water",
            ),
            Posting(
                entry=rogue,
                ledger_account=LedgerAccount.objects.get(code=codes.REV_WATER),
                amount_cents=-10,
                effective_date=rogue.effective_date,
            ),
        ]
    )
    problems = ledger_check()["I4"]
    assert f"JE{rogue.pk} reverses JE{reversal.pk}, itself a reversal" in problems
    assert f"JE{rogue.pk} does not exactly mirror JE{reversal.pk}" in problems


def test_an_entry_recorded_after_its_period_closed_fails_i9(sound_ledger) -> None:
    AccountingPeriod.objects.filter(start_date=date(2025, 1, 1)).update(
        closed_at=timezone.now() - timedelta(days=1)
    )
    problems = ledger_check()["I9"]
    assert len(problems) == 2 and "after 2025-01 closed" in problems[0]
