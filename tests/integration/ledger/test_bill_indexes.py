"""The bill table's constraints, kept cheap for a 100,000-bill run (billing migration 0008).

One live (not cancelled) bill per account and period, by a unique constraint on the
generated ``live`` column; a bill is replaced by at most one rebill, by a unique constraint
over the bills that replace one. On PostgreSQL, posting a bill (draft -> posted) changes no
indexed value and the table leaves room on each page, so the row is updated in place (HOT).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cistern.billing.models import Bill
from tests.integration.billing import makers

FEBRUARY = {
    "period_start": date(2025, 2, 1), "period_end": date(2025, 2, 28),
    "bill_date": date(2025, 3, 1), "due_date": date(2025, 3, 21), "total_cents": 4200,
}  # fmt: skip


@pytest.fixture
def bill(account) -> Bill:
    makers.cycle()
    return Bill.objects.create(account=account, **FEBRUARY)


def test_a_second_live_bill_for_the_same_period_is_refused(bill) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Bill.objects.create(account=bill.account, **FEBRUARY)
    assert Bill.objects.filter(account=bill.account).count() == 1


def test_a_cancelled_bill_is_not_live_and_leaves_its_period_to_a_rebill(bill) -> None:
    Bill.objects.filter(pk=bill.pk).update(status=Bill.Status.CANCELLED)
    rebill = Bill.objects.create(
        account=bill.account, kind=Bill.Kind.REBILL, replaces=bill, **FEBRUARY
    )
    assert dict(Bill.objects.values_list("pk", "live")) == {bill.pk: False, rebill.pk: True}
    assert list(bill.replaced_by.all()) == [rebill]


def test_a_bill_is_replaced_by_at_most_one_rebill(bill) -> None:
    Bill.objects.filter(pk=bill.pk).update(status=Bill.Status.CANCELLED)
    Bill.objects.create(account=bill.account, kind=Bill.Kind.REBILL, replaces=bill, **FEBRUARY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bill.objects.create(
            account=bill.account, kind=Bill.Kind.REBILL, replaces=bill,
            status=Bill.Status.CANCELLED, **FEBRUARY,
        )  # fmt: skip
    assert Bill.objects.filter(replaces=bill).count() == 1


def _sql(query: str) -> object:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_posting_a_bill_updates_its_row_in_place(bill) -> None:
    # Given a draft bill (on a page with room: the table keeps some on every page)
    assert _sql("SELECT reloptions FROM pg_class WHERE relname = 'billing_bill'") == [
        "fillfactor=45"
    ]
    hot = "SELECT pg_stat_get_xact_tuples_hot_updated('billing_bill'::regclass)"
    before = _sql(hot)
    # When it is posted as the bill run marks its bills
    Bill.objects.filter(pk=bill.pk).update(status=Bill.Status.POSTED, posted_at=timezone.now())
    # Then no index was written: the update was heap-only
    assert _sql(hot) == before + 1
