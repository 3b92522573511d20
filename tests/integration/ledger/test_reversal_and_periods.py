"""Reversals (I4) and closing periods (I9)."""

from __future__ import annotations

from datetime import date

import pytest

from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent
from cistern.ledger import codes
from cistern.ledger import period_services as P
from cistern.ledger import services as S
from cistern.ledger.models import AccountingPeriod, JournalEntry
from cistern.ledger.selectors import account_balance_cents, trial_balance_total_cents
from cistern.ledger.services import Leg, journal_entry_post, journal_entry_reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def march_bill(finance, account) -> JournalEntry:
    return journal_entry_post(
        idempotency_key="bill:mar",
        effective_date=date(2025, 3, 1),
        source="bill",
        legs=[
            Leg(codes.AR_WATER, 3000, account.id, "water"),
            Leg(codes.AR_SEWER, 2000, account.id, "sewer"),
            Leg(codes.REV_WATER, -3000),
            Leg(codes.REV_SEWER, -2000),
        ],
        actor=finance,
    )


def test_a_reversal_mirrors_its_original_and_links_to_it(finance, account, march_bill) -> None:
    reversal = journal_entry_reverse(
        entry=march_bill, effective_date=date(2025, 3, 5), reason="billed twice", actor=finance
    )
    assert reversal.reverses == march_bill
    assert list(march_bill.reversed_by.all()) == [reversal]
    assert sorted(reversal.postings.values_list("amount_cents", flat=True)) == [
        -3000,
        -2000,
        2000,
        3000,
    ]
    assert reversal.source == "reversal" and reversal.memo == "billed twice"
    assert account_balance_cents(account_id=account.id) == 0
    assert trial_balance_total_cents() == 0
    assert AuditEvent.objects.filter(subject_id=str(reversal.pk)).exists()


def test_an_entry_is_reversed_at_most_once(finance, march_bill) -> None:
    first = journal_entry_reverse(
        entry=march_bill, effective_date=date(2025, 3, 5), reason="wrong", actor=finance
    )
    with pytest.raises(ServiceError) as refused:
        journal_entry_reverse(
            entry=march_bill, effective_date=date(2025, 3, 6), reason="again", actor=finance
        )
    assert refused.value.message == S.ENTRY_ALREADY_REVERSED.format(
        entry_id=march_bill.pk, reversal_id=first.pk
    )


def test_a_reversal_replayed_with_its_key_returns_the_same_reversal(finance, march_bill) -> None:
    args = {"entry": march_bill, "effective_date": date(2025, 3, 5), "reason": "wrong"}
    first = journal_entry_reverse(**args, actor=finance, idempotency_key="rev-1")
    assert journal_entry_reverse(**args, actor=finance, idempotency_key="rev-1").pk == first.pk
    assert JournalEntry.objects.count() == 2


def test_a_reversal_cannot_itself_be_reversed(finance, march_bill) -> None:
    reversal = journal_entry_reverse(
        entry=march_bill, effective_date=date(2025, 3, 5), reason="wrong", actor=finance
    )
    with pytest.raises(ServiceError) as refused:
        journal_entry_reverse(
            entry=reversal, effective_date=date(2025, 3, 6), reason="undo", actor=finance
        )
    assert refused.value.message == S.ENTRY_IS_REVERSAL.format(entry_id=reversal.pk)


def test_a_reversal_cannot_be_dated_before_its_original(finance, march_bill) -> None:
    with pytest.raises(ServiceError) as refused:
        journal_entry_reverse(
            entry=march_bill, effective_date=date(2025, 2, 28), reason="x", actor=finance
        )
    assert refused.value.field == "effective_date"


def test_an_entry_in_a_closed_period_is_reversed_in_an_open_one(finance, march_bill) -> None:
    S.accounting_period_close(period=date(2025, 3, 1), actor=finance, today=date(2025, 4, 2))
    with pytest.raises(ServiceError):
        journal_entry_reverse(
            entry=march_bill, effective_date=date(2025, 3, 31), reason="x", actor=finance
        )
    reversal = journal_entry_reverse(
        entry=march_bill, effective_date=date(2025, 4, 1), reason="x", actor=finance
    )
    assert reversal.reverses_id == march_bill.pk


def test_closing_a_period_records_who_and_when_and_is_audited(finance) -> None:
    period = S.accounting_period_close(
        period=date(2025, 1, 15), actor=finance, today=date(2025, 2, 1)
    )
    assert period.is_closed and period.closed_by == finance
    assert AuditEvent.objects.filter(action="ledger.period.close", actor=finance).count() == 1


def test_a_period_that_has_not_ended_cannot_close(finance) -> None:
    with pytest.raises(ServiceError) as refused:
        S.accounting_period_close(period=date(2025, 1, 1), actor=finance, today=date(2025, 1, 31))
    assert refused.value.message == P.PERIOD_NOT_ENDED.format(month="2025-01")
    assert not AccountingPeriod.objects.filter(closed_at__isnull=False).exists()


def test_periods_close_in_order(finance, account) -> None:
    journal_entry_post(
        idempotency_key="jan",
        effective_date=date(2025, 1, 9),
        source="bill",
        legs=[Leg(codes.AR_WATER, 10, account.id, "water"), Leg(codes.REV_WATER, -10)],
        actor=finance,
    )
    with pytest.raises(ServiceError) as refused:
        S.accounting_period_close(period=date(2025, 2, 1), actor=finance, today=date(2025, 3, 2))
    assert refused.value.message == P.PERIOD_EARLIER_OPEN.format(earlier="2025-01")


def test_a_closed_period_cannot_close_again(finance) -> None:
    S.accounting_period_close(period=date(2025, 1, 1), actor=finance, today=date(2025, 2, 2))
    with pytest.raises(ServiceError) as refused:
        S.accounting_period_close(period=date(2025, 1, 1), actor=finance, today=date(2025, 2, 2))
    assert refused.value.message == P.PERIOD_ALREADY_CLOSED.format(month="2025-01")
