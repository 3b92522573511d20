"""journal_entries_post_bulk: the same rows as journal_entry_post, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from cistern.core.models import AuditEvent
from cistern.ledger import codes
from cistern.ledger.bulk import (
    BulkRefused,
    EntryRequest,
    journal_entries_check,
    journal_entries_post_bulk,
)
from cistern.ledger.checks import ledger_check
from cistern.ledger.domain import entries as E
from cistern.ledger.models import JournalEntry, Posting
from cistern.ledger.services import (
    KEY_REUSED,
    Leg,
    accounting_period_close,
    journal_entry_post,
)
from tests.integration.ledger.makers import customer_account

pytestmark = pytest.mark.django_db

MARCH = date(2025, 3, 10)


def request(key: str, account_id: int, cents: int = 4200, day: date = MARCH) -> EntryRequest:
    return EntryRequest(
        idempotency_key=key,
        effective_date=day,
        source="bill",
        source_ref=f"B-{key}",
        memo="March",
        legs=(
            Leg(codes.AR_WATER, cents, account_id, codes.CATEGORY_WATER),
            Leg(codes.REV_WATER, -cents),
        ),
    )


def ledger_rows() -> list[tuple]:
    """The ledger as rows, without ids and recorded times (which differ by run)."""
    entries = list(
        JournalEntry.objects.order_by("id").values_list(
            "idempotency_key",
            "content_hash",
            "effective_date",
            "source",
            "source_ref",
            "memo",
            "actor_id",
            "reverses_id",
        )
    )
    postings = list(
        Posting.objects.order_by("id").values_list(
            "entry__idempotency_key",
            "ledger_account_id",
            "amount_cents",
            "customer_account_id",
            "charge_category",
            "effective_date",
        )
    )
    audits = list(
        AuditEvent.objects.filter(action="ledger.entry.post")
        .order_by("id")
        .values_list("actor_id", "account_id", "after", "reason", "before")
    )
    return [*entries, *postings, *audits]


def test_a_bulk_post_writes_every_entry_with_its_postings_and_audit(finance, account) -> None:
    other = customer_account()
    result = journal_entries_post_bulk(
        requests=[request("b:1", account.id), request("b:2", other.id, 999)], actor=finance
    )
    assert result.created == 2 and result.replayed == 0
    assert Posting.objects.count() == 4
    assert AuditEvent.objects.filter(action="ledger.entry.post").count() == 2
    assert (
        Posting.objects.get(entry_id=result.entry_ids["b:2"], customer_account=other).amount_cents
        == 999
    )
    assert ledger_check() == {k: [] for k in ledger_check()}


def test_bulk_and_single_posting_write_identical_ledger_rows(finance, account) -> None:
    other = customer_account()
    requests = [
        request("b:1", account.id),
        request("b:2", other.id, 77),
        request("b:3", account.id, 5),
    ]
    with transaction.atomic():
        for r in requests:
            journal_entry_post(
                idempotency_key=r.idempotency_key,
                effective_date=r.effective_date,
                source=r.source,
                source_ref=r.source_ref,
                memo=r.memo,
                legs=r.legs,
                actor=finance,
            )
        single = ledger_rows()
        transaction.set_rollback(True)
    assert JournalEntry.objects.count() == 0
    journal_entries_post_bulk(requests=requests, actor=finance)
    assert ledger_rows() == single


def test_a_replayed_request_is_skipped_and_returns_the_first_entry(finance, account) -> None:
    first = journal_entries_post_bulk(requests=[request("b:1", account.id)], actor=finance)
    again = journal_entries_post_bulk(
        requests=[request("b:1", account.id), request("b:2", account.id)], actor=finance
    )
    assert again.created == 1 and again.replayed == 1
    assert again.entry_ids["b:1"] == first.entry_ids["b:1"]
    assert JournalEntry.objects.count() == 2


def test_a_key_posted_singly_replays_in_bulk(finance, account) -> None:
    r = request("b:1", account.id)
    entry = journal_entry_post(
        idempotency_key=r.idempotency_key,
        effective_date=r.effective_date,
        source=r.source,
        source_ref=r.source_ref,
        memo=r.memo,
        legs=r.legs,
        actor=finance,
    )
    result = journal_entries_post_bulk(requests=[r], actor=finance)
    assert result.entry_ids["b:1"] == entry.pk and result.created == 0


def test_a_reused_key_with_other_content_refuses_the_whole_batch(finance, account) -> None:
    journal_entries_post_bulk(requests=[request("b:1", account.id)], actor=finance)
    with pytest.raises(BulkRefused) as refused:
        journal_entries_post_bulk(
            requests=[request("b:2", account.id), request("b:1", account.id, 1)], actor=finance
        )
    assert list(refused.value.problems) == ["b:1"]
    assert refused.value.problems["b:1"].startswith(KEY_REUSED.split("{")[0])
    assert JournalEntry.objects.count() == 1


def test_the_same_key_twice_in_one_batch_posts_once_or_is_refused(finance, account) -> None:
    result = journal_entries_post_bulk(
        requests=[request("b:1", account.id), request("b:1", account.id)], actor=finance
    )
    assert result.created == 1 and result.replayed == 1
    with pytest.raises(BulkRefused):
        journal_entries_post_bulk(
            requests=[request("b:9", account.id), request("b:9", account.id, 3)], actor=finance
        )
    assert JournalEntry.objects.count() == 1


def test_an_unbalanced_entry_refuses_the_batch_and_nothing_is_written(finance, account) -> None:
    bad = EntryRequest(
        idempotency_key="b:bad",
        effective_date=MARCH,
        source="bill",
        legs=(
            Leg(codes.AR_WATER, 100, account.id, codes.CATEGORY_WATER),
            Leg(codes.REV_WATER, -99),
        ),
    )
    with pytest.raises(BulkRefused) as refused:
        journal_entries_post_bulk(requests=[request("b:1", account.id), bad], actor=finance)
    assert refused.value.problems == {"b:bad": E.ENTRY_UNBALANCED.format(difference=1)}
    assert JournalEntry.objects.count() == 0 and Posting.objects.count() == 0
    assert not AuditEvent.objects.filter(action="ledger.entry.post").exists()


def test_receivable_legs_need_account_and_category_and_accounts_must_exist(
    finance, account
) -> None:
    no_category = EntryRequest(
        idempotency_key="b:nc",
        effective_date=MARCH,
        source="bill",
        legs=(Leg(codes.AR_WATER, 100, account.id), Leg(codes.REV_WATER, -100)),
    )
    problems = journal_entries_check([no_category, request("b:ghost", 987_654)])
    assert problems["b:nc"] == E.LEG_NEEDS_CATEGORY.format(index=1, code=codes.AR_WATER)
    assert "987654" in problems["b:ghost"]


def test_nothing_posts_in_bulk_into_a_closed_period(finance, account) -> None:
    journal_entries_post_bulk(
        requests=[request("b:0", account.id, day=date(2025, 1, 5))], actor=finance
    )
    accounting_period_close(period=date(2025, 1, 1), actor=finance, today=date(2025, 3, 1))
    january = request("b:1", account.id, day=date(2025, 1, 20))
    assert "2025-01-20" in journal_entries_check([january, request("b:2", account.id)])["b:1"]
    with pytest.raises(BulkRefused):
        journal_entries_post_bulk(requests=[january, request("b:2", account.id)], actor=finance)
    assert JournalEntry.objects.count() == 1


def test_an_inactive_ledger_account_is_refused(finance, account) -> None:
    from cistern.ledger.models import LedgerAccount

    LedgerAccount.objects.filter(code=codes.REV_WATER).update(active=False)
    problems = journal_entries_check([request("b:1", account.id)])
    assert problems == {"b:1": E.LEG_INACTIVE_ACCOUNT.format(code=codes.REV_WATER)}
