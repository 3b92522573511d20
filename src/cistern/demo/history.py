"""Bill the demo's history through the billing services, and post its customers' payments.

For each past period of each cycle, in bill-date order, a real bill run: ``bill_run_create``,
``bill_run_calculate``, every exception released with a reason (``exception_release``:
estimated reads, bills unlike the account's usual, credits from estimates), then
``bill_run_review`` and ``bill_run_post``: bills, lines, journal entries and audit rows are
the ones a district's billing clerk would have made. Between runs, the payments that
reached the bank by then are imported as lockbox files (``lockbox_import``), so each
payment applies to the charges open on its deposit date. Payments dated after ``today``
have not arrived: the latest bills are open, and some accounts are past due.

Accounting periods from the first bill date on are opened first (the ledger refuses
entries in a missing or closed period); bill and due dates fall on business days.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cistern.billing.models import Bill, BillException, BillingCycle
from cistern.billing.services import (
    bill_run_calculate,
    bill_run_create,
    bill_run_post,
    bill_run_review,
    exception_release,
)
from cistern.core.domain.business_days import add_business_days
from cistern.core.selectors import closed_dates_between
from cistern.demo.domain.payers import PlannedPayment, payers_for, payment_for
from cistern.demo.domain.periods import CyclePeriods, Period
from cistern.demo.domain.plan import DistrictPlan
from cistern.demo.persist import Ids, planner_statistics_refresh
from cistern.ledger.period_services import accounting_period_ensure
from cistern.payments.domain import LockboxItem, lockbox_write, scan_line_parse
from cistern.payments.domain.scan_line import scan_line_build
from cistern.payments.lockbox_services import lockbox_import

BILL_AFTER_READ = 2  # business days from the read to the bill date
DAYS_TO_PAY = 21
BATCH_ITEMS = 400  # items per bank batch in a lockbox file
STATISTICS_FIRST_BILLS = 5000  # the first refresh after the reads waits for this many bills
RELEASE_REASONS = {
    BillException.Kind.ESTIMATED: "No read this period: the estimate stands; the next read "
    "trues it up.",
    BillException.Kind.HIGH: "Checked against the reads: seasonal use.",
    BillException.Kind.LOW: "Checked against the reads: lower use this period.",
    BillException.Kind.ZERO_OR_NEGATIVE: "Checked: the credit from earlier estimates is right.",
    BillException.Kind.OVER_ESTIMATED: "Checked: earlier estimates ran high; no rebill needed.",
}
RELEASE_DEFAULT = "Reviewed with the account history; bill as calculated."


@dataclass
class HistoryWritten:
    runs: int = 0
    bills: int = 0
    exceptions_released: int = 0
    payments: int = 0
    lockbox_files: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def add_time(self, name: str, since: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - since


@dataclass(frozen=True)
class _Run:
    bill_date: date
    due_date: date
    cycle: int  # index into plan.cycles
    period: Period


def history_write(
    plan: DistrictPlan,
    ids: Ids,
    periods: list[CyclePeriods],
    *,
    billing_actor: Any,
    reviewer: Any,
) -> HistoryWritten:
    """Run and post every past period's bill run, and the payments made before ``today``."""
    written = HistoryWritten()
    runs = _runs(periods, plan.today)
    if not runs:
        return written
    _open_accounting_periods(runs[0].bill_date, plan.today)
    payments = _Payments(plan, ids, billing_actor, written)
    cycles = {c.code: c for c in BillingCycle.objects.all()}
    statistics = _Statistics(written)
    for run in runs:
        statistics.refresh_if_grown()
        payments.flush(before=run.bill_date)
        cycle = cycles[plan.cycles[run.cycle].code]
        bills = _bill_run(run, cycle, billing_actor, reviewer, written)
        payments.schedule(bills, run.bill_date)
    payments.flush(before=plan.today + timedelta(days=1))
    return written


class _Statistics:
    """The planner's statistics, refreshed as the history grows: before the first run (the
    reads just written) and each time the bills written have doubled since.

    The whole build is one transaction, which autovacuum never sees: without this every
    run of a 100,000-account history was planned as if bills, postings and payments were
    empty tables. On PostgreSQL calculating the runs took 1,134 s of a 2,054 s build.
    Doubling keeps the refreshes few (about ten at 100,000 accounts), each a sampled
    ``ANALYZE`` of a second or two.
    """

    def __init__(
        self, written: HistoryWritten, refresh: Callable[[], None] = planner_statistics_refresh
    ) -> None:
        self.written = written
        self.refresh = refresh
        self.at: int | None = None  # bills written at the last refresh

    def refresh_if_grown(self) -> None:
        bills = self.written.bills
        if self.at is not None and bills < 2 * max(self.at, STATISTICS_FIRST_BILLS):
            return
        started = time.perf_counter()
        self.refresh()
        self.at = bills
        self.written.add_time("planner statistics", started)


def _runs(periods: list[CyclePeriods], today: date) -> list[_Run]:
    first = min((p.history[0].first_day for p in periods if p.history), default=today)
    closed = closed_dates_between(first, today + timedelta(days=90))
    runs = []
    for cycle, cycle_periods in enumerate(periods):
        for period in cycle_periods.history:
            bill_date = add_business_days(period.last_day, BILL_AFTER_READ, closed)
            due = bill_date + timedelta(days=DAYS_TO_PAY)
            due = add_business_days(due - timedelta(days=1), 1, closed)
            runs.append(_Run(bill_date, due, cycle, period))
    return sorted(runs, key=lambda r: (r.bill_date, r.cycle))


def _open_accounting_periods(first: date, today: date) -> None:
    month = first.replace(day=1)
    while month <= today:
        accounting_period_ensure(day=month)
        month = (month + timedelta(days=32)).replace(day=1)


def _bill_run(
    planned: _Run, cycle: BillingCycle, actor: Any, reviewer: Any, written: HistoryWritten
) -> list[tuple[int, int]]:
    """One period's bill run, calculated, reviewed and posted: [(account id, total cents)]."""
    started = time.perf_counter()
    run = bill_run_create(
        cycle=cycle,
        period_start=planned.period.first_day,
        period_end=planned.period.last_day,
        bill_date=planned.bill_date,
        due_date=planned.due_date,
        actor=actor,
    )
    run = bill_run_calculate(run=run, actor=actor)
    written.add_time("calculate", started)
    started = time.perf_counter()
    open_exceptions = BillException.objects.filter(
        run=run, resolution=BillException.Resolution.OPEN
    )
    for exception in open_exceptions.select_related("bill").order_by("id"):
        if exception.bill_id is not None:  # a bill's other exceptions went with the first
            exception.refresh_from_db(fields=["resolution"])
            if exception.resolution != BillException.Resolution.OPEN:
                continue
        reason = RELEASE_REASONS.get(exception.kind, RELEASE_DEFAULT)
        exception_release(exception=exception, reason=reason, actor=reviewer)
        written.exceptions_released += 1
    run = bill_run_review(run=run, actor=reviewer)
    written.add_time("review", started)
    started = time.perf_counter()
    run = bill_run_post(run=run, actor=actor)
    written.add_time("post", started)
    written.runs += 1
    bills = list(
        Bill.objects.filter(run=run, status=Bill.Status.POSTED)
        .order_by("account_id")
        .values_list("account_id", "total_cents")
    )
    written.bills += len(bills)
    return bills


class _Payments:
    """Payments waiting to reach the bank, posted as lockbox files in deposit-date order."""

    def __init__(self, plan: DistrictPlan, ids: Ids, actor: Any, written: HistoryWritten):
        self._plan = plan
        self._ids = ids
        self._actor = actor
        self._written = written
        self._payers = payers_for(len(plan.accounts), seed=plan.seed, today=plan.today)
        self._rng = random.Random(plan.seed + 3)
        self._closed = closed_dates_between(
            plan.today - timedelta(days=800), plan.today + timedelta(days=120)
        )
        self._waiting: list[tuple[int, PlannedPayment]] = []  # (plan index, payment)

    def schedule(self, bills: list[tuple[int, int]], bill_date: date) -> None:
        for account_id, total_cents in bills:
            index = account_id - self._ids.account_base
            payment = payment_for(
                self._payers[index],
                self._rng,
                bill_date=bill_date,
                total_cents=total_cents,
                closed=self._closed,
            )
            if payment is not None:
                self._waiting.append((index, payment))

    def flush(self, *, before: date) -> None:
        """Import, as one lockbox file, every waiting payment deposited before ``before``."""
        started = time.perf_counter()
        due = [w for w in self._waiting if w[1].deposit_date < before]
        self._waiting = [w for w in self._waiting if w[1].deposit_date >= before]
        if due:
            items = self._items(_one_per_account(due))
            number = self._written.lockbox_files + 1
            data = lockbox_write(items)
            lockbox_import(data=data, filename=f"lockbox-{number:04d}.csv", actor=self._actor)
            self._written.lockbox_files = number
            self._written.payments += len(items)
        self._written.add_time("payments", started)

    def _items(self, due: list[tuple[int, PlannedPayment]]) -> list[LockboxItem]:
        number = self._written.lockbox_files + 1
        items = []
        for n, (index, payment) in enumerate(sorted(due, key=lambda w: (w[1].deposit_date, w[0]))):
            account = self._plan.accounts[index]
            payer = self._payers[index]
            day = payment.deposit_date
            items.append(
                LockboxItem(
                    batch_id=f"L{number:04d}-{day:%m%d}-{n // BATCH_ITEMS:03d}",
                    item_sequence=n % BATCH_ITEMS + 1,
                    scan_line=scan_line_parse(
                        scan_line_build(account.number, payment.amount_cents)
                    ),
                    amount_paid_cents=payment.amount_cents,
                    check_number="" if payer.money_order else str(1001 + (index * 37 + n) % 8999),
                    payer_name=_payer_name(self._plan, index),
                    deposit_date=day,
                )
            )
        return items


def _one_per_account(
    due: list[tuple[int, PlannedPayment]],
) -> list[tuple[int, PlannedPayment]]:
    """Two payments of one account in the same file become one (the customer paid both)."""
    merged: dict[int, PlannedPayment] = {}
    for index, payment in due:
        earlier = merged.get(index)
        if earlier is None:
            merged[index] = payment
        else:
            merged[index] = PlannedPayment(
                max(earlier.deposit_date, payment.deposit_date),
                earlier.amount_cents + payment.amount_cents,
            )
    return list(merged.items())


def _payer_name(plan: DistrictPlan, index: int) -> str:
    customer = plan.customers[plan.accounts[index].customer]
    if customer.kind == "person":
        return f"{customer.first_name} {customer.last_name}".strip()[:60]
    return customer.organization_name.strip()[:60]
