"""The set-based writer's postings ``COPY`` is one statement the ledger's triggers see whole.

On PostgreSQL ``bulk_write`` sends every posting of a batch by one ``COPY``, rendered from
its per-shape templates. A ``COPY`` fires the statement-level triggers with the whole batch
in their transition tables: the balance trigger refuses a batch in which any entry does not
balance, and the reference trigger one that names a missing customer account — the whole
``COPY``, so nothing of the batch is written. (Rows are rendered here as the writer renders
them; the writer itself never renders an unbalanced entry, so the bad one is built by hand.)
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from cistern.ledger import codes
from cistern.ledger.bulk_sql import copy_text
from cistern.ledger.bulk_text import shape_of
from cistern.ledger.bulk_write import posting_values, postings_template
from cistern.ledger.models import JournalEntry, LedgerAccount, Posting

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
DAY = date(2025, 3, 1)
COLUMNS = (
    "entry", "ledger_account", "amount_cents", "customer_account", "charge_category",
    "effective_date",
)  # fmt: skip
WATER = shape_of("bill", ("water",), codes.RECEIVABLE_FOR_CATEGORY, codes.REVENUE_FOR_CATEGORY)


def _new_entries(count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journalentry (idempotency_key, content_hash, effective_date,"
            " recorded_at, source, source_ref, memo)"
            " SELECT 'copy:' || n, '', %s, now(), 'bill', '', '' FROM generate_series(1, %s) n"
            " ORDER BY n RETURNING id",
            [DAY, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def _account_ids() -> dict[str, int]:
    return dict(LedgerAccount.objects.values_list("code", "id"))


def test_balanced_entries_copied_in_one_statement_are_written_in_leg_order(finance, account):
    # given three entries of one water category each
    ids = _new_entries(3)
    template = postings_template(WATER, _account_ids())
    text = "".join(
        template.render(posting_values(i, account.pk, DAY.isoformat(), (100 + n,)))
        for n, i in enumerate(ids)
    )
    # when their postings are copied
    with transaction.atomic():
        written = copy_text(Posting, COLUMNS, [text])
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would check
    # then all six are written, counted, in entry then leg order
    assert written == 6
    rows = Posting.objects.order_by("id").values_list(
        "entry_id", "ledger_account__code", "amount_cents", "customer_account_id",
        "charge_category",
    )  # fmt: skip
    assert list(rows) == [
        row
        for n, i in enumerate(ids)
        for row in (
            (i, codes.AR_WATER, 100 + n, account.pk, "water"),
            (i, codes.REV_WATER, -(100 + n), None, ""),
        )
    ]


def test_one_entry_that_does_not_balance_refuses_the_whole_copy(finance, account) -> None:
    day = DAY.isoformat()
    # Django's DatabaseError, as from cursor.execute: what bill posting's fallback catches
    with (
        pytest.raises(DatabaseError, match=r"journal entry \d+ does not balance: 1 cents over 2"),
        transaction.atomic(),
    ):
        # given fifty entries rendered as the writer renders them, the last one off by a cent
        ids = _new_entries(50)
        template = postings_template(WATER, _account_ids())
        text = "".join(template.render(posting_values(i, account.pk, day, (5,))) for i in ids[1:])
        text += template.render((ids[0], account.pk, day, 5, -4))  # (id, customer, day, +, -)
        # when they are copied in one statement (sent in two parts), then the balance
        # trigger refuses it
        copy_text(Posting, COLUMNS, [text[: len(text) // 2], text[len(text) // 2 :]])
    # and nothing of the batch was written
    assert Posting.objects.count() == 0 and JournalEntry.objects.count() == 0


def test_a_posting_naming_a_missing_customer_account_refuses_the_whole_copy(finance, account):
    day = DAY.isoformat()
    with (
        pytest.raises(IntegrityError, match="customer_account_id = 987654321 refers to no row"),
        transaction.atomic(),
    ):
        # given two balanced entries, the second naming a customer account that does not exist
        first, second = _new_entries(2)
        template = postings_template(WATER, _account_ids())
        text = template.render(posting_values(first, account.pk, day, (700,)))
        text += template.render(posting_values(second, 987_654_321, day, (700,)))
        # when they are copied, then the reference trigger refuses the statement
        copy_text(Posting, COLUMNS, [text])
    assert Posting.objects.count() == 0 and JournalEntry.objects.count() == 0
