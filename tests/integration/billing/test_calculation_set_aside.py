"""A chunk is rated before its transaction and trimmed inside it.

Reading and rating every account happen before a chunk's write transaction (so a second
process can rate while another writes); what decides what is written, posted bills and
accounts billed elsewhere for the period, is read inside it. These tests pin that the
trimmed chunk writes exactly what a chunk that never rated those accounts would.
"""

from __future__ import annotations

from datetime import date

import pytest

from cistern.billing.calculation import ALREADY_BILLED
from cistern.billing.lines import line_values
from cistern.billing.models import Bill, BillException, BillRun
from cistern.billing.services import bill_run_calculate, bill_run_create
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db
JAN_1, JAN_31 = date(2025, 1, 1), date(2025, 1, 31)
Kind = BillException.Kind


def _run(clerk, cycle) -> BillRun:
    return bill_run_create(
        cycle=cycle, period_start=JAN_1, period_end=JAN_31,
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip


def _exceptions(run: BillRun) -> list[tuple[int, str, str, int | None]]:
    """The run's exceptions in the order written: account, kind, detail, bill's account."""
    return [
        (e.account_id, e.kind, e.detail, e.bill.account_id if e.bill else None)
        for e in run.exceptions.select_related("bill").order_by("id")
    ]


def _drafts(run: BillRun) -> dict[int, tuple]:
    return {
        b.account_id: (b.total_cents, b.usage, b.reads_used, line_values(b))
        for b in run.bills.filter(status=Bill.Status.DRAFT)
    }


def test_posted_and_elsewhere_accounts_are_set_aside_amid_the_chunk_and_the_rest_is_written(
    clerk, rates
) -> None:
    # given one chunk of accounts: one with a held read (two exceptions on its bill), one
    # already billed for January outside the run, one with no rate, and two plain ones
    cycle = makers.cycle()
    held = makers.account(billing_cycle=cycle)
    held_read = makers.read(held, JAN_31, 40, review="held")
    elsewhere = makers.account(billing_cycle=cycle)
    makers.read(elsewhere, JAN_31, 8)
    manual = Bill.objects.create(
        account=elsewhere, period_start=JAN_1, period_end=JAN_31, bill_date=JAN_31,
        due_date=JAN_31, status=Bill.Status.POSTED, total_cents=999, usage=8,
        usage_unit="ccf",
    )  # fmt: skip
    no_rate = makers.account(billing_cycle=cycle, services=("fire_line",))
    plain = makers.account(billing_cycle=cycle)
    makers.read(plain, JAN_31, 12)
    later = makers.account(billing_cycle=cycle)
    makers.read(later, JAN_31, 7)
    run = _run(clerk, cycle)

    # when the run is calculated
    run = bill_run_calculate(run=run, actor=clerk)

    # then the account billed elsewhere has only its exception, in its place among the rest,
    # and the exceptions on a bill point at their own account's bill
    assert sorted(_drafts(run)) == [held.pk, plain.pk, later.pk]
    found = _exceptions(run)
    assert found[:3] == [
        (held.pk, Kind.READ_EXCEPTION, f"Reads waiting: {held_read.pk}", held.pk),
        (held.pk, Kind.ESTIMATED, "No read and no history: billed zero use.", held.pk),
        (elsewhere.pk, Kind.FAILED, ALREADY_BILLED.format(number=manual.number), None),
    ]
    assert [(a, k, bill) for a, k, _detail, bill in found[3:]] == [(no_rate.pk, Kind.NO_RATE, None)]
    first = _drafts(run)

    # when one bill of the run is posted meanwhile and the run is calculated again
    posted = run.bills.get(account=plain)
    Bill.objects.filter(pk=posted.pk).update(status=Bill.Status.POSTED)
    run = bill_run_calculate(run=run, actor=clerk)

    # then the posted bill is untouched, the other drafts are written again as they were,
    # and the exceptions are the same, in the same order
    assert Bill.objects.get(pk=posted.pk).status == Bill.Status.POSTED
    assert line_values(Bill.objects.get(pk=posted.pk)) == first[plain.pk][3]
    assert run.bills.filter(account=plain).count() == 1
    assert _drafts(run) == {k: v for k, v in first.items() if k != plain.pk}
    assert [e[:2] for e in _exceptions(run)] == [
        (held.pk, Kind.READ_EXCEPTION), (held.pk, Kind.ESTIMATED),
        (elsewhere.pk, Kind.FAILED), (no_rate.pk, Kind.NO_RATE),
    ]  # fmt: skip
    assert Bill.objects.get(pk=manual.pk).total_cents == 999
