"""The demo district's past: real rates, reads, posted bills and payments, and a current
period left for staff to bill, with read exceptions waiting for review."""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum

from cistern.billing.models import Bill, BillException, BillingCycle, BillLine, BillRun
from cistern.customers.models import Account
from cistern.demo.domain.periods import cycle_periods
from cistern.demo.domain.rate_book import rate_book
from cistern.demo.history import HistoryWritten, _Statistics
from cistern.ledger.checks import ledger_check
from cistern.ledger.models import Posting
from cistern.ledger.selectors import account_balance_cents
from cistern.metering.models import MeterInstallation, MeterRead, ReadImport
from cistern.payments.models import LockboxImport, Payment
from cistern.rates.models import RateSchedule, RateVersion

TODAY = date(2026, 6, 15)
MONTHS = 3
pytestmark = pytest.mark.django_db


def build(accounts: int = 40, seed: int = 5, months: int = MONTHS) -> str:
    out = StringIO()
    call_command(
        "demo", accounts=accounts, seed=seed, today=TODAY, history_months=months, stdout=out
    )
    return out.getvalue()


def history_snapshot() -> list[tuple]:
    bills = Bill.objects.order_by("account__number", "period_start").values_list(
        "account__number", "period_start", "total_cents", "usage"
    )
    payments = Payment.objects.order_by("account__number", "received_on").values_list(
        "account__number", "received_on", "amount_cents"
    )
    return [*bills, *payments]


def test_every_billable_account_has_one_posted_bill_for_each_past_period_of_its_cycle():
    build()

    for account in Account.objects.filter(status="active").select_related("premise__cycle"):
        cycle = account.premise.cycle
        periods = cycle_periods(
            read_day=cycle.read_day, frequency=cycle.frequency, today=TODAY, history_months=MONTHS
        )
        expected = [p.first_day for p in periods.history if account.start_date <= p.last_day]
        billed = list(
            Bill.objects.filter(account=account, status=Bill.Status.POSTED)
            .order_by("period_start")
            .values_list("period_start", flat=True)
        )
        assert billed == expected, account.number
    assert not Bill.objects.exclude(status=Bill.Status.POSTED).exists()
    assert not BillException.objects.filter(resolution=BillException.Resolution.OPEN).exists()


def test_the_ledger_is_sound_and_every_balance_is_the_sum_of_its_postings():
    build()

    assert ledger_check() == {name: [] for name in ledger_check()}
    balances = []
    for account_id in Account.objects.values_list("id", flat=True):
        posted = Posting.objects.filter(customer_account_id=account_id).aggregate(
            s=Sum("amount_cents")
        )["s"]
        balance = account_balance_cents(account_id=account_id)
        assert balance == (posted or 0)
        balances.append(balance)
    assert any(b > 0 for b in balances), "some customers still owe"
    assert Payment.objects.filter(status=Payment.Status.POSTED).count() > 0
    assert LockboxImport.objects.exists()
    assert not Payment.objects.filter(received_on__gt=TODAY).exists()


def test_the_current_period_is_read_but_not_billed_with_read_exceptions_waiting():
    build()

    current = {
        c.code: cycle_periods(
            read_day=c.read_day, frequency=c.frequency, today=TODAY, history_months=MONTHS
        ).current
        for c in BillingCycle.objects.all()
    }
    assert not BillRun.objects.filter(
        period_end__in=[p.last_day for p in current.values()]
    ).exists()
    waiting = MeterRead.objects.filter(review__in=["held", "reread"])
    kinds = Counter(
        code for codes in waiting.values_list("exceptions", flat=True) for code in codes
    )
    assert {"high", "low", "zero", "negative", "rollover"} <= set(kinds)
    assert MeterRead.objects.filter(review="reread").exists()
    assert {r.read_on for r in waiting} <= {p.last_day for p in current.values()}
    assert ReadImport.objects.filter(held_count__gt=0).exists()


def test_the_rate_change_is_a_second_version_and_bills_straddling_it_are_prorated():
    build()

    assert RateSchedule.objects.count() == len(rate_book(first_on=TODAY, change_on=TODAY))
    for schedule in RateSchedule.objects.all():
        versions = list(schedule.versions.order_by("effective_from"))
        assert len(versions) == 2
        assert all(v.resolution_number and v.resolution_date for v in versions)
    change = RateVersion.objects.order_by("-effective_from").first().effective_from
    straddling = BillLine.objects.filter(
        bill__period_start__lt=change, bill__period_end__gte=change
    )
    assert straddling.filter(proration__lt=1).exists()
    assert {line.rate_version.effective_from for line in straddling} == set(
        RateVersion.objects.values_list("effective_from", flat=True).distinct()
    )


def test_the_same_seed_builds_the_same_history():
    with transaction.atomic():
        build()
        first = history_snapshot()
        transaction.set_rollback(True)
    with transaction.atomic():
        build()
        second = history_snapshot()
        transaction.set_rollback(True)

    assert first
    assert first == second


def test_no_history_writes_the_current_reads_and_no_bills_or_rates():
    build(months=0)

    assert not Bill.objects.exists()
    assert not RateSchedule.objects.exists()
    assert MeterRead.objects.filter(review="accepted").exists()


def test_a_history_longer_than_five_years_is_refused():
    with pytest.raises(CommandError, match="history"):
        build(months=61)
    assert not Account.objects.exists()


def test_a_meter_changed_out_mid_history_is_billed_with_both_meters_that_period():
    build()

    changed_out = MeterInstallation.objects.filter(removed_on__isnull=False)
    assert changed_out.count() == 2
    old = changed_out.select_related("meter").first()
    new = MeterInstallation.objects.get(premise=old.premise, removed_on__isnull=True)
    assert old.meter.status == "retired"
    assert new.installed_on == old.removed_on
    assert old.removal_read == old.reads.order_by("-read_at").first().raw_value
    bill = Bill.objects.get(
        account__premise=old.premise,
        period_start__lte=old.removed_on,
        period_end__gte=old.removed_on,
    )
    used = MeterRead.objects.filter(pk__in=bill.reads_used)
    assert {r.installation_id for r in used} == {old.pk, new.pk}
    assert bill.usage == sum(r.volume for r in used)


def test_the_planners_statistics_are_refreshed_before_the_first_run_and_as_the_bills_double() -> (
    None
):
    # given the history's statistics keeper, counting its refreshes
    written = HistoryWritten()
    refreshed: list[int] = []
    statistics = _Statistics(written, refresh=lambda: refreshed.append(written.bills))
    # when runs write bills, the keeper asked before each run
    for bills in (0, 3_000, 9_000, 10_000, 15_000, 20_000, 39_000, 41_000):
        written.bills = bills
        statistics.refresh_if_grown()
    # then it refreshed before the first run, then at each doubling (from 5,000 bills on)
    assert refreshed == [0, 10_000, 20_000, 41_000]


def test_a_build_with_history_shows_the_time_spent_on_planner_statistics() -> None:
    # given a small district built with its history, its steps shown (-v2)
    shown = StringIO()
    call_command(
        "demo", accounts=10, seed=5, today=TODAY, history_months=2, verbosity=2, stdout=shown
    )
    # then the build reports the statistics refreshed inside it
    assert "bill history (planner statistics):" in shown.getvalue()
