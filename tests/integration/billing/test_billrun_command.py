"""``cistern billrun``: a whole cycle from the terminal, with a progress bar."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cistern.billing.management.commands import billrun
from cistern.billing.management.commands.billrun import progress_bar
from cistern.billing.models import Bill, BillRun
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("billrun", *args, stdout=out)
    return out.getvalue()


def test_the_command_creates_calculates_reviews_posts_and_issues_a_run(clerk, rates) -> None:
    cycle = makers.cycle()
    for n in range(7):
        makers.read(makers.account(billing_cycle=cycle), date(2025, 1, 31), 4 + n)
    created = _run(
        "--user", clerk.username, "create", "--cycle", "C1", "--start", "2025-01-01",
        "--end", "2025-01-31", "--bill-date", "2025-02-03", "--due-date", "2025-02-24",
    )  # fmt: skip
    run = BillRun.objects.get()
    assert f"Created bill run {run.pk}" in created
    calculated = _run("calculate", str(run.pk), "--chunk-size", "3")
    assert "Calculated 7 bills" in calculated and "7/7" in calculated
    _run("review", str(run.pk))
    posted = _run("post", str(run.pk), "--chunk-size", "3")
    assert "Posted 7 bills" in posted and "[" + "#" * 30 + "]" in posted
    _run("issue", str(run.pk))
    assert BillRun.objects.get().status == BillRun.Status.ISSUED
    assert Bill.objects.filter(status=Bill.Status.POSTED).count() == 7


def test_reviewing_with_open_exceptions_fails_with_the_reason(clerk, rates) -> None:
    acct = makers.account(billing_cycle=makers.cycle())
    makers.read(acct, date(2025, 1, 31), 4, review="held")
    _run(
        "create", "--cycle", "C1", "--start", "2025-01-01", "--end", "2025-01-31",
        "--bill-date", "2025-02-03", "--due-date", "2025-02-24",
    )  # fmt: skip
    run = BillRun.objects.get()
    _run("calculate", str(run.pk))
    with pytest.raises(CommandError, match="exception"):
        _run("review", str(run.pk))


def test_the_progress_bar_shows_done_total_rate_and_time_left() -> None:
    line = progress_bar(250, 1000, started=0.0, now=5.0)
    assert line.startswith("[" + "#" * 7 + "." * 23 + "]")
    assert "250/1000" in line and "25%" in line and "50/s" in line and "~15s left" in line


@pytest.mark.parametrize(
    ("given", "configured", "expected"),
    [(None, 0, "cpus"), (None, 3, 3), (1, 3, 1), (4, 0, 4)],
)
def test_workers_default_to_one_per_processor_on_either_database(
    settings, monkeypatch, given, configured, expected
) -> None:
    """``--workers``, else the setting, else one process per CPU (SQLite included: one
    process rates or plans while the other writes)."""
    monkeypatch.setattr(billrun.os, "cpu_count", lambda: 6)
    settings.CISTERN_BILLRUN_WORKERS = configured
    assert billrun._workers(given) == (6 if expected == "cpus" else expected)


def test_workers_below_one_are_refused() -> None:
    with pytest.raises(CommandError, match="at least 1"):
        billrun._workers(0)


def _two_cycles_with_runs() -> tuple[BillRun, BillRun]:
    """Cycles C1 (three accounts) and C2 (four), each with a draft run for January."""
    runs = []
    for code, accounts in (("C1", 3), ("C2", 4)):
        cycle = makers.cycle(code)
        for n in range(accounts):
            makers.read(makers.account(billing_cycle=cycle), date(2025, 1, 31), 5 + n)
        _run(
            "create", "--cycle", code, "--start", "2025-01-01", "--end", "2025-01-31",
            "--bill-date", "2025-02-03", "--due-date", "2025-02-24",
        )  # fmt: skip
        runs.append(BillRun.objects.get(cycle=cycle))
    return runs[0], runs[1]


def test_several_runs_are_calculated_and_posted_together(clerk, rates) -> None:
    """Given two cycles' runs, when one command calculates both and another posts both,
    then each run has its own bills, summary line and status, as run one by one."""
    first, second = _two_cycles_with_runs()
    calculated = _run("calculate", str(first.pk), str(second.pk), "--chunk-size", "2")
    assert f"Run {first.pk}: Calculated 3 bills" in calculated
    assert f"Run {second.pk}: Calculated 4 bills" in calculated
    assert "7/7" in calculated  # one progress bar over both runs
    _run("review", str(first.pk))
    _run("review", str(second.pk))
    posted = _run("post", str(first.pk), str(second.pk), "--chunk-size", "2")
    assert f"Run {first.pk}: Posted 3 bills; run is Posted." in posted
    assert f"Run {second.pk}: Posted 4 bills; run is Posted." in posted
    for run, count in ((first, 3), (second, 4)):
        bills = Bill.objects.filter(run=run, status=Bill.Status.POSTED)
        assert bills.count() == count
        assert all(bill.account.premise.cycle_id == run.cycle_id for bill in bills)
        assert bills.filter(journal_entry__isnull=True).count() == 0


def test_a_run_that_cannot_be_calculated_stops_the_others_before_any_work(clerk, rates) -> None:
    first, second = _two_cycles_with_runs()
    _run("calculate", str(second.pk))
    _run("review", str(second.pk))
    _run("post", str(second.pk))
    with pytest.raises(CommandError, match="Only a draft run can be calculated"):
        _run("calculate", str(first.pk), str(second.pk))
    assert not Bill.objects.filter(run=first).exists()
    assert BillRun.objects.get(pk=first.pk).calculated_at is None


def test_runs_named_twice_or_unknown_are_refused(clerk, rates) -> None:
    first, _second = _two_cycles_with_runs()
    with pytest.raises(CommandError, match="No bill run 999999"):
        _run("calculate", str(first.pk), "999999")
    with pytest.raises(CommandError, match="named twice"):
        _run("post", str(first.pk), str(first.pk))
    assert not Bill.objects.exists()
