"""Estimated bills, and the true-up when the next actual read arrives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cistern.billing.models import BillException, BillRun
from cistern.billing.services import (
    bill_release,
    bill_run_calculate,
    bill_run_create,
    bill_run_post,
    bill_run_review,
)
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db


def _run(clerk, cycle, start: date, end: date) -> BillRun:
    return bill_run_create(
        cycle=cycle, period_start=start, period_end=end,
        bill_date=end, due_date=end, actor=clerk,
    )  # fmt: skip


def _post_all(clerk, run: BillRun) -> BillRun:
    run = bill_run_calculate(run=run, actor=clerk)
    for bill in run.bills.filter(exceptions__isnull=False).distinct():
        bill_release(bill=bill, reason="Checked", actor=clerk)
    return bill_run_post(run=bill_run_review(run=run, actor=clerk), actor=clerk)


@pytest.fixture
def estimated_january(clerk, rates):
    """An account with 9 CCF in December and no January read: January is estimated at 9."""
    cycle = makers.cycle()
    acct = makers.account(billing_cycle=cycle)
    makers.read(acct, date(2024, 12, 1), 0)
    makers.read(acct, date(2024, 12, 31), 9)
    january = _post_all(clerk, _run(clerk, cycle, date(2025, 1, 1), date(2025, 1, 31)))
    bill = january.bills.get()
    assert bill.estimated and bill.usage == Decimal(9)
    return cycle, acct


def test_the_first_actual_read_bills_its_use_less_what_estimates_billed(
    clerk, estimated_january
) -> None:
    cycle, acct = estimated_january
    makers.read(acct, date(2025, 2, 28), 20)  # use since Dec 31: January and February
    run = bill_run_calculate(
        run=_run(clerk, cycle, date(2025, 2, 1), date(2025, 2, 28)), actor=clerk
    )
    bill = run.bills.get()
    assert (bill.usage, bill.estimated_before, bill.estimated) == (Decimal(11), Decimal(9), False)


def test_estimates_above_the_reads_bill_no_use_and_are_reported(clerk, estimated_january) -> None:
    cycle, acct = estimated_january
    makers.read(acct, date(2025, 2, 28), 5)
    run = bill_run_calculate(
        run=_run(clerk, cycle, date(2025, 2, 1), date(2025, 2, 28)), actor=clerk
    )
    bill = run.bills.get()
    assert bill.usage == 0
    exception = run.exceptions.get(kind=BillException.Kind.OVER_ESTIMATED)
    assert "4" in exception.detail and "Cancel and rebill" in exception.detail


def test_a_month_after_an_actual_bill_subtracts_nothing(clerk, rates) -> None:
    cycle = makers.cycle()
    acct = makers.account(billing_cycle=cycle)
    makers.read(acct, date(2025, 1, 31), 7)
    _post_all(clerk, _run(clerk, cycle, date(2025, 1, 1), date(2025, 1, 31)))
    makers.read(acct, date(2025, 2, 28), 8)
    run = bill_run_calculate(
        run=_run(clerk, cycle, date(2025, 2, 1), date(2025, 2, 28)), actor=clerk
    )
    assert (run.bills.get().usage, run.bills.get().estimated_before) == (Decimal(8), Decimal(0))
