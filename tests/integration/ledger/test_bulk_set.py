"""journal_entries_post_by_category: entries whose legs the database sums from lines.

Worked examples: lines given as a literal SELECT; each test posts a small batch and checks
what was written, what was refused and why, and that a replay writes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cistern.core.models import AuditEvent
from cistern.ledger import codes
from cistern.ledger.bulk_set import (
    CATEGORY_UNMAPPED,
    CategoryBatch,
    EntryHeader,
    journal_entries_post_by_category,
)
from cistern.ledger.checks import ledger_check
from cistern.ledger.models import JournalEntry, Posting
from cistern.ledger.services import (
    KEY_REUSED,
    UNKNOWN_CUSTOMER_ACCOUNT,
    Leg,
    accounting_period_close,
    journal_entry_post,
)

pytestmark = pytest.mark.django_db
MARCH = date(2025, 3, 10)


def _batch(headers: list[EntryHeader], lines: list[tuple[int, str, int, int]]) -> CategoryBatch:
    one = "SELECT %s AS ref_id, %s AS category, %s AS amount_cents, %s AS seq"
    return CategoryBatch(
        source="bill",
        headers=headers,
        lines_sql=" UNION ALL ".join([one] * len(lines)),
        lines_params=[value for line in lines for value in line],
        receivable_for_category=codes.RECEIVABLE_FOR_CATEGORY,
        revenue_for_category=codes.REVENUE_FOR_CATEGORY,
    )


def _header(ref: int, account_id: int, **kw) -> EntryHeader:
    values = {"idempotency_key": f"set:{ref}", "effective_date": MARCH, "source_ref": f"R{ref}"}
    return EntryHeader(ref_id=ref, customer_account_id=account_id, **(values | kw))


def test_strings_that_need_escaping_hash_and_audit_as_the_single_path(finance, account) -> None:
    # given an entry whose memo and reference need JSON escaping
    memo = 'Facture “mars” — "quoted" \\ back'
    header = _header(1, account.pk, memo=memo, source_ref="Nº 1")
    lines = [(1, "water", 1250, 1), (1, "sewer", 800, 2), (1, "water", 5, 3)]
    # when it posts set-based
    result = journal_entries_post_by_category(batch=_batch([header], lines), actor=finance)
    # then the single path with the same content replays it (same content hash)
    legs = [
        Leg(codes.AR_WATER, 1255, account.pk, "water"), Leg(codes.REV_WATER, -1255),
        Leg(codes.AR_SEWER, 800, account.pk, "sewer"), Leg(codes.REV_SEWER, -800),
    ]  # fmt: skip
    replay = journal_entry_post(
        idempotency_key="set:1", effective_date=MARCH, source="bill", source_ref="Nº 1",
        memo=memo, legs=legs, actor=finance,
    )  # fmt: skip
    assert result.created == 1 and replay.pk == result.entry_ids[1]
    event = AuditEvent.objects.get(subject_id=str(replay.pk), action="ledger.entry.post")
    assert event.after["memo"] == memo and event.account_id == account.pk
    assert event.after["legs"] == [leg.as_json() for leg in legs]


def test_refused_entries_are_returned_with_their_reason_and_the_rest_post(finance, account) -> None:
    headers = [
        _header(1, account.pk),
        _header(2, 987_654),  # no such customer account
        _header(3, account.pk, idempotency_key="set:1"),  # the same key again
        _header(4, account.pk),  # a category with no ledger accounts
        _header(5, account.pk),  # nothing to post: sums to zero
    ]
    lines = [
        (1, "water", 100, 1), (2, "water", 100, 1), (3, "water", 100, 1),
        (4, "swimming_pool", 100, 1), (5, "water", 100, 1), (5, "water", -100, 2),
    ]  # fmt: skip
    result = journal_entries_post_by_category(batch=_batch(headers, lines), actor=finance)
    assert set(result.entry_ids) == {1} and result.created == 1
    assert result.refused == {
        2: UNKNOWN_CUSTOMER_ACCOUNT.format(account_id=987_654),
        3: KEY_REUSED.format(key="set:1", entry_id="(this batch)"),
        4: CATEGORY_UNMAPPED.format(category="swimming_pool"),
    }
    assert Posting.objects.count() == 2
    assert all(not problems for problems in ledger_check().values())


def test_posting_the_batch_again_replays_and_writes_nothing(finance, account, other_account):
    headers = [_header(1, account.pk), _header(2, other_account.pk)]
    lines = [(1, "water", 300, 1), (2, "sewer", 450, 1), (2, "late_fee", 25, 2)]
    first = journal_entries_post_by_category(batch=_batch(headers, lines), actor=finance)
    counts = (JournalEntry.objects.count(), Posting.objects.count(), AuditEvent.objects.count())
    again = journal_entries_post_by_category(batch=_batch(headers, lines), actor=finance)
    assert again.entry_ids == first.entry_ids and (again.created, again.replayed) == (0, 2)
    assert counts == (
        JournalEntry.objects.count(), Posting.objects.count(), AuditEvent.objects.count()
    )  # fmt: skip
    # and different content under a used key is refused, not posted
    changed = [(1, "water", 301, 1), (2, "sewer", 450, 1), (2, "late_fee", 25, 2)]
    third = journal_entries_post_by_category(batch=_batch(headers, changed), actor=finance)
    assert "already used" in third.refused[1] and third.replayed == 1


def test_a_closed_period_refuses_every_entry_dated_in_it(finance, account) -> None:
    journal_entry_post(
        idempotency_key="seed", effective_date=MARCH, source="adjustment",
        legs=[Leg(codes.AR_WATER, 100, account.pk, "water"), Leg(codes.REV_WATER, -100)],
        actor=finance,
    )  # fmt: skip
    accounting_period_close(period=MARCH, actor=finance, today=date(2025, 4, 2))
    headers = [_header(1, account.pk), _header(2, account.pk, effective_date=date(2025, 4, 1))]
    lines = [(1, "water", 100, 1), (2, "water", 100, 1)]
    result = journal_entries_post_by_category(batch=_batch(headers, lines), actor=finance)
    assert "closed" in result.refused[1] and set(result.entry_ids) == {2}
    assert not JournalEntry.objects.filter(idempotency_key="set:1").exists()


def test_keys_and_texts_that_need_quoting_are_written_and_found_again(finance, account) -> None:
    # given keys, references and memos with quotes, backslashes, tabs, commas, braces, the
    # word NULL and non-ASCII text (every way the writers and lookups could mangle them)
    awkward = ['q"1', "b\\2", "t\t3", "a,b {4}", "NULL", "“5” é", "n\n6", " 7 "]
    headers = [
        _header(n, account.pk, idempotency_key=f"set:{text}", source_ref=text, memo=text)
        for n, text in enumerate(awkward, start=1)
    ]
    lines = [(n, "water", 100 + n, 1) for n in range(1, len(awkward) + 1)]
    # when the batch posts, then posts again
    first = journal_entries_post_by_category(batch=_batch(headers, lines), actor=finance)
    again = journal_entries_post_by_category(batch=_batch(headers, lines), actor=finance)
    # then every entry was written with its texts intact, and found again as a replay
    assert first.created == len(awkward) and not first.refused
    assert again.entry_ids == first.entry_ids and again.replayed == len(awkward)
    for n, text in enumerate(awkward, start=1):
        entry = JournalEntry.objects.get(pk=first.entry_ids[n])
        assert (entry.idempotency_key, entry.source_ref, entry.memo) == (f"set:{text}", text, text)
        event = AuditEvent.objects.get(subject_id=str(entry.pk), action="ledger.entry.post")
        assert event.after["memo"] == text and event.reason == text


def test_categories_that_need_escaping_are_posted_intact_in_leg_order(finance, account) -> None:
    # given categories with a tab, a backslash, a newline, a percent sign and braces (every
    # way the COPY text or its templates could mangle them), two of them on one account
    accounts = {
        "wa\tter": (codes.AR_WATER, codes.REV_WATER),
        "se\\wer": (codes.AR_SEWER, codes.REV_SEWER),
        "n\nl": (codes.AR_FEES, codes.FEE_LATE),
        "50%": (codes.AR_FEES, codes.FEE_DOOR_TAG),
        "é{0}": (codes.AR_OTHER, codes.REV_OTHER),
    }
    receivable = {category: pair[0] for category, pair in accounts.items()}
    revenue = {category: pair[1] for category, pair in accounts.items()}
    odd = list(accounts)
    lines = [(1, category, 100 * n - 250, n) for n, category in enumerate(odd, start=1)]
    batch = replace(
        _batch([_header(1, account.pk)], lines),
        receivable_for_category=receivable,
        revenue_for_category=revenue,
    )
    # when it posts set-based
    result = journal_entries_post_by_category(batch=batch, actor=finance)
    # then its postings are the legs, in order, with the categories as given
    legs = []
    for _ref, category, cents, _seq in lines:
        legs += [
            Leg(receivable[category], cents, account.pk, category),
            Leg(revenue[category], -cents),
        ]
    written = Posting.objects.filter(entry_id=result.entry_ids[1]).order_by("id")
    assert [
        Leg(p.ledger_account.code, p.amount_cents, p.customer_account_id, p.charge_category)
        for p in written
    ] == legs
    # and the single path with the same legs replays it (same content hash)
    replay = journal_entry_post(
        idempotency_key="set:1", effective_date=MARCH, source="bill", source_ref="R1",
        legs=legs, actor=finance,
    )  # fmt: skip
    assert replay.pk == result.entry_ids[1]
