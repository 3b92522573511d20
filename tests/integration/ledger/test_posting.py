"""journal_entry_post: balanced or refused, replayable by key, never into a closed period."""

from __future__ import annotations

from datetime import date

import pytest

from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent
from cistern.ledger import codes
from cistern.ledger import services as S
from cistern.ledger.domain import entries as E
from cistern.ledger.models import AccountingPeriod, JournalEntry, Posting
from cistern.ledger.selectors import account_balance_cents
from cistern.ledger.services import Leg, journal_entry_post

pytestmark = pytest.mark.django_db

MARCH = date(2025, 3, 10)


def bill(account_id: int, cents: int = 4200) -> list[Leg]:
    return [
        Leg(codes.AR_WATER, cents, account_id, codes.CATEGORY_WATER),
        Leg(codes.REV_WATER, -cents),
    ]


def post(key: str, legs: list[Leg], actor, day: date = MARCH, **kw) -> JournalEntry:
    return journal_entry_post(
        idempotency_key=key, effective_date=day, source="bill", legs=legs, actor=actor, **kw
    )


def test_a_balanced_bill_posts_one_entry_with_its_legs(finance, account) -> None:
    entry = post("bill:1", bill(account.id), finance, source_ref="B-1", memo="March")
    assert entry.postings.count() == 2
    assert entry.effective_date == MARCH and entry.recorded_at is not None
    assert entry.actor == finance
    assert account_balance_cents(account_id=account.id) == 4200
    assert set(entry.postings.values_list("effective_date", flat=True)) == {MARCH}


def test_posting_records_an_audit_event_for_the_customer_account(finance, account) -> None:
    entry = post("bill:audit", bill(account.id), finance)
    event = AuditEvent.objects.get(action="ledger.entry.post", subject_id=str(entry.pk))
    assert event.account_id == account.id
    assert event.actor == finance
    assert event.after["idempotency_key"] == "bill:audit"


def test_an_entry_touching_two_accounts_is_audited_on_both(finance, account, other_account):
    legs = [
        Leg(codes.AR_WATER, 500, account.id, "water"),
        Leg(codes.AR_WATER, -500, other_account.id, "water"),
    ]
    entry = post("transfer:1", legs, finance)
    ids = set(
        AuditEvent.objects.filter(subject_id=str(entry.pk)).values_list("account_id", flat=True)
    )
    assert ids == {account.id, other_account.id}


def test_replaying_the_same_key_and_content_returns_the_same_entry(finance, account) -> None:
    first = post("bill:2", bill(account.id), finance)
    again = post("bill:2", list(reversed(bill(account.id))), finance)
    assert again.pk == first.pk
    assert Posting.objects.filter(entry=first).count() == 2
    assert JournalEntry.objects.count() == 1
    assert account_balance_cents(account_id=account.id) == 4200


def test_the_same_key_with_different_content_is_refused(finance, account) -> None:
    first = post("bill:3", bill(account.id), finance)
    with pytest.raises(ServiceError) as refused:
        post("bill:3", bill(account.id, 4300), finance)
    assert refused.value.message == S.KEY_REUSED.format(key="bill:3", entry_id=first.pk)
    assert account_balance_cents(account_id=account.id) == 4200


@pytest.mark.parametrize(
    ("legs", "message"),
    [
        ([], E.ENTRY_EMPTY),
        (
            [Leg(codes.CASH_CLEARING, 100), Leg(codes.REV_OTHER, -90)],
            E.ENTRY_UNBALANCED.format(difference=10),
        ),
        ([Leg(codes.CASH_CLEARING, 0), Leg(codes.REV_OTHER, 0)], E.LEG_ZERO.format(index=1)),
        ([Leg("NOPE", 100), Leg(codes.REV_OTHER, -100)], E.LEG_UNKNOWN_ACCOUNT.format(code="NOPE")),
        (
            [Leg(codes.AR_WATER, 100, None, "water"), Leg(codes.REV_WATER, -100)],
            E.LEG_NEEDS_CUSTOMER.format(index=1, code=codes.AR_WATER),
        ),
    ],
)
def test_an_invalid_entry_is_refused_and_writes_nothing(finance, legs, message) -> None:
    with pytest.raises(ServiceError) as refused:
        post("bad", legs, finance)
    assert refused.value.message == message
    assert not JournalEntry.objects.exists() and not Posting.objects.exists()
    assert not AuditEvent.objects.filter(action="ledger.entry.post").exists()


def test_a_receivable_leg_without_a_category_is_refused(finance, account) -> None:
    with pytest.raises(ServiceError) as refused:
        post("bad", [Leg(codes.AR_WATER, 100, account.id, ""), Leg(codes.REV_WATER, -100)], finance)
    assert refused.value.message == E.LEG_NEEDS_CATEGORY.format(index=1, code=codes.AR_WATER)


def test_an_unknown_customer_account_is_refused(finance) -> None:
    with pytest.raises(ServiceError) as refused:
        post("bad", bill(987654), finance)
    assert refused.value.message == S.UNKNOWN_CUSTOMER_ACCOUNT.format(account_id=987654)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("idempotency_key", {"idempotency_key": ""}),
        ("idempotency_key", {"idempotency_key": "k" * 121}),
        ("source", {"source": " "}),
        ("memo", {"memo": "m" * 301}),
    ],
)
def test_a_missing_or_overlong_header_field_is_refused(finance, account, field, kwargs) -> None:
    args = {"idempotency_key": "k", "effective_date": MARCH, "source": "bill", **kwargs}
    with pytest.raises(ServiceError) as refused:
        journal_entry_post(**args, legs=bill(account.id), actor=finance)
    assert refused.value.field == field


def test_nothing_posts_into_a_closed_period(finance, account) -> None:
    post("feb", bill(account.id), finance, day=date(2025, 2, 5))
    S.accounting_period_close(period=date(2025, 2, 1), actor=finance, today=date(2025, 3, 2))
    with pytest.raises(ServiceError) as refused:
        post("feb-late", bill(account.id), finance, day=date(2025, 2, 27))
    assert refused.value.field == "effective_date"
    assert "closed" in refused.value.message
    with pytest.raises(ServiceError):  # nor into any earlier month, even one without a row
        post("jan-late", bill(account.id), finance, day=date(2024, 12, 27))
    assert post("mar", bill(account.id), finance, day=date(2025, 3, 1)).pk


def test_a_replay_of_an_entry_posted_before_the_close_still_returns_it(finance, account) -> None:
    first = post("feb", bill(account.id), finance, day=date(2025, 2, 5))
    S.accounting_period_close(period=date(2025, 2, 1), actor=finance, today=date(2025, 3, 2))
    assert post("feb", bill(account.id), finance, day=date(2025, 2, 5)).pk == first.pk


def test_posting_creates_the_open_period_of_its_month(finance, account) -> None:
    post("apr", bill(account.id), finance, day=date(2025, 4, 30))
    period = AccountingPeriod.objects.get()
    assert (period.start_date, period.end_date, period.is_closed) == (
        date(2025, 4, 1),
        date(2025, 4, 30),
        False,
    )
