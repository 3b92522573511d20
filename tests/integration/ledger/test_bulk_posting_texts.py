"""A bulk post renders its texts from templates; the rows are the single path's, byte for byte.

``journal_entries_post_bulk`` writes an entry's content hash and audit document from a
template per form of legs when its strings are plain, and by the single path's functions
otherwise; on PostgreSQL it renders the rows as ``COPY`` text. Whatever the strings (tabs,
quotes, backslashes, accents, ``%``), the legs (a code twice, two customer accounts, a leg
naming none) or the database, the rows must be those ``journal_entry_post`` writes.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction

from cistern.ledger import codes
from cistern.ledger.bulk import EntryRequest, journal_entries_post_bulk
from cistern.ledger.services import Leg, journal_entry_post
from tests.integration.ledger.makers import customer_account
from tests.integration.ledger.test_bulk_posting import ledger_rows

pytestmark = pytest.mark.django_db

DAY = date(2025, 3, 10)


def payment(key: str, account_id: int, *, memo: str = "Check payment, Lockbox") -> EntryRequest:
    """A payment's legs: cash, then receivables by category, then the credit left over."""
    return EntryRequest(
        idempotency_key=key, effective_date=DAY, source="payment", source_ref="LB-7", memo=memo,
        legs=(
            Leg(codes.CASH_CLEARING, 10_000),
            Leg(codes.AR_WATER, -4_000, account_id, codes.CATEGORY_WATER),
            Leg(codes.AR_SEWER, -3_500, account_id, codes.CATEGORY_SEWER),
            Leg(codes.AR_OTHER, -2_500, account_id, "credit"),
        ),
    )  # fmt: skip


def requests(first: int, second: int) -> list[EntryRequest]:
    """Plain payments (the templates) and every kind the single path's functions take."""
    two_fees = (
        Leg(codes.AR_FEES, 300, first, codes.CATEGORY_LATE_FEE),
        Leg(codes.AR_FEES, 200, first, codes.CATEGORY_RECONNECTION_FEE),
        Leg(codes.CASH_CLEARING, -500),
    )
    two_accounts = (
        Leg(codes.CASH_CLEARING, 700),
        Leg(codes.AR_WATER, -400, second, codes.CATEGORY_WATER),
        Leg(codes.AR_WATER, -300, first, codes.CATEGORY_WATER),
    )
    return [
        payment("payment:P1", first),
        payment("payment:P2", second),
        payment("payment:P3", first, memo='Tab\there, new\nline, back\\slash, "quoted"'),
        payment("payment:P4", second, memo="Chèque reçu 100 % ✓"),
        payment("payment:P5\t", first),
        payment("payment:P6", second, memo="{0} %s %(x)s"),
        EntryRequest("fees:1", DAY, "adjustment", two_fees, "R\\1", "two fees, one account"),
        EntryRequest("split:1", DAY, "payment", two_accounts, "LB-7", "split"),
        EntryRequest("none:1", DAY, "payment", (two_accounts[0], Leg(codes.CASH_IN_BANK, -700))),
    ]


def audit_texts() -> list[str]:
    """The audit documents as the database stores them (SQLite: the JSON text itself)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CAST(after AS TEXT) FROM core_auditevent"
            " WHERE action = 'ledger.entry.post' ORDER BY id"
        )
        return [row[0] for row in cursor.fetchall()]


def test_bulk_rows_and_audit_texts_are_the_single_paths_whatever_the_strings(finance) -> None:
    # given payments and entries of every kind, posted one at a time (then rolled back)
    first, second = customer_account().id, customer_account().id
    batch = requests(first, second)
    with transaction.atomic():
        for r in batch:
            journal_entry_post(
                idempotency_key=r.idempotency_key, effective_date=r.effective_date,
                source=r.source, source_ref=r.source_ref, memo=r.memo, legs=r.legs,
                actor=finance,
            )  # fmt: skip
        single, single_texts = ledger_rows(), audit_texts()
        transaction.set_rollback(True)
    # when the same requests are posted in bulk
    result = journal_entries_post_bulk(requests=batch, actor=finance)
    # then every row and every audit text is the same
    assert result.created == len(batch)
    assert ledger_rows() == single
    assert audit_texts() == single_texts
    # and posting them again replays every one (the hashes match)
    again = journal_entries_post_bulk(requests=batch, actor=finance)
    assert again.created == 0 and again.replayed == len(batch)
    assert again.entry_ids == result.entry_ids
