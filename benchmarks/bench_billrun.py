"""A persisted bill run over the demo district, against a plain set-based SQL insert.

Run on a built demo (``cistern demo --accounts N``) in ``DATABASE_URL``. Setup (not timed):
the billing tests' rate schedules (tests/integration/billing/makers.py: water base + two
tiers, sewer volumetric) and one accepted actual read per installed meter for last month,
written in bulk. Timed: a run for every billing cycle, calculated (draft bills and lines)
and posted (journal entries, postings, audit rows, bills marked posted) together, as
``cistern billrun calculate <run> <run> ...`` and ``cistern billrun post <run> <run> ...``
run them (``billing.dispatch``: the runs' chunks share the processes); ``--one-by-one``
runs each cycle's run on its own instead, as one command per run would. The review step is
skipped (runs are marked reviewed directly: reviewing is a person's decision, not work the
machine does). The output's timelines give, for each batch of runs, the seconds at which
each chunk finished.

Baseline, in the same run: ``INSERT INTO copy SELECT * FROM table`` of the very bill, line,
entry and posting rows the run wrote, into empty copies of those tables, timed in one
transaction: what the database needs to write the rows with no application in the way.
Prints the figures as JSON.

``--current`` bills instead each cycle's current period as the demo left it (the period its
latest read day closed; its reads are in, its bill is not): for a demo built with its
history (``--history-months 24``), whose earlier periods are billed. No setup then (the
demo's own rates and reads are used), and the runs' periods differ by cycle.

Steps can be chosen (``--steps``), so a database can be calculated once and posted later,
or a copy of a calculated database posted again and again while tuning posting:
``--steps setup,calculate`` leaves reviewed runs; ``--steps post,baseline`` posts the
reviewed runs of the period (and times the baseline). ``--workers N`` runs the chunks on N
child processes, as ``cistern billrun --workers N`` does (default 2, the cores of the
machine the figures were first taken on; recorded in the output). ``--post-chunk-size``
and ``--calculate-chunk-size`` override the chunk sizes; ``--profile N`` prints the
posting phase's top N functions (cProfile, cumulative time) to stderr. Works on any size
of demo (100,000 or 1,000,000 accounts): the figures come from the database named by
``DATABASE_URL``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

from cistern.billing.dispatch import (  # noqa: E402
    bill_runs_calculate_dispatched,
    bill_runs_post_dispatched,
)
from cistern.billing.models import Bill, BillingCycle, BillLine, BillRun  # noqa: E402
from cistern.billing.services import bill_run_create  # noqa: E402
from cistern.core.calendar import district_today  # noqa: E402
from cistern.customers.models import Account  # noqa: E402
from cistern.demo.domain.periods import cycle_periods  # noqa: E402
from cistern.ledger.domain.periods import month_start, previous_month_start  # noqa: E402
from cistern.ledger.models import JournalEntry, Posting  # noqa: E402
from cistern.metering.models import MeterInstallation, MeterRead  # noqa: E402
from cistern.rates.models import RateSchedule  # noqa: E402
from cistern.staff.models import User  # noqa: E402
from tests.integration.billing import makers  # noqa: E402

SEED = 20_260_604


def period(months_back: int) -> tuple[date, date]:
    """The calendar month ``months_back`` months before this one."""
    end = month_start(district_today()) - timedelta(days=1)
    for _ in range(months_back - 1):
        end = month_start(end) - timedelta(days=1)
    return previous_month_start(end.replace(day=1) + timedelta(days=32)), end


def setup(last_day: date) -> dict[str, Any]:
    started = time.perf_counter()
    manager = User.objects.get(username="frank")
    if not RateSchedule.objects.filter(name="Residential water").exists():
        makers.rate_schedules(manager)
    rng = random.Random(SEED)
    moment = datetime.combine(last_day, clock(9), tzinfo=UTC)
    have = set(MeterRead.objects.filter(read_on=last_day).values_list("installation_id", flat=True))
    todo = MeterInstallation.objects.filter(removed_on__isnull=True).exclude(pk__in=have)
    reads = [
        MeterRead(
            installation_id=i,
            read_at=moment,
            read_on=last_day,
            raw_value=0,
            read_type="actual",
            volume=Decimal(rng.randint(0, 30)),
            review="accepted",
            recorded_at=moment,
        )
        for i in todo.values_list("pk", flat=True)
    ]
    MeterRead.objects.bulk_create(reads, batch_size=5000)
    return {"setup_s": time.perf_counter() - started, "reads_written": len(reads)}


Periods = dict[int, tuple[date, date]]  # each cycle's (first day, last day) by its id


def periods(months_back: int, current: bool) -> Periods:
    """The period each cycle bills: one calendar month for all, or (``current``) each
    cycle's current period as the demo left it."""
    if not current:
        month = period(months_back)
        return {pk: month for pk in BillingCycle.objects.values_list("pk", flat=True)}
    today = district_today()
    found = {}
    for cycle in BillingCycle.objects.all():
        now = cycle_periods(
            read_day=cycle.read_day, frequency=cycle.frequency, today=today, history_months=0
        ).current
        found[cycle.pk] = (now.first_day, now.last_day)
    return found


def period_runs(by_cycle: Periods) -> Any:
    """The runs of these cycles for their periods (a queryset)."""
    match = Q(pk__in=[])
    for cycle_id, (first_day, last_day) in by_cycle.items():
        match |= Q(cycle_id=cycle_id, period_start=first_day, period_end=last_day)
    return BillRun.objects.filter(match)


def calculate(by_cycle: Periods, options: argparse.Namespace) -> dict[str, Any]:
    """Create (or reuse) each cycle's run for its period, calculate them, mark them reviewed."""
    actor = User.objects.get(username="frank")
    runs = []
    for cycle in BillingCycle.objects.order_by("code"):
        first_day, last_day = by_cycle[cycle.pk]
        run = BillRun.objects.filter(
            cycle=cycle, period_start=first_day, period_end=last_day
        ).first() or bill_run_create(
            cycle=cycle,
            period_start=first_day,
            period_end=last_day,
            bill_date=district_today(),
            due_date=district_today() + timedelta(21),
            actor=actor,
        )
        if run.status == BillRun.Status.DRAFT:
            runs.append(run)
    kwargs = _chunking(options.calculate_chunk_size, options.workers)
    seconds, timeline = _timed(bill_runs_calculate_dispatched, runs, actor, options, kwargs)
    BillRun.objects.filter(pk__in=[r.pk for r in runs]).update(status=BillRun.Status.REVIEWED)
    return {"calculate_s": seconds, "calculate_timeline": timeline}


def post(by_cycle: Periods, options: argparse.Namespace) -> dict[str, Any]:
    """Post every reviewed run of the periods, as ``cistern billrun post`` does."""
    actor = User.objects.get(username="frank")
    runs = list(
        period_runs(by_cycle).filter(status=BillRun.Status.REVIEWED).order_by("cycle__code")
    )
    kwargs = _chunking(options.post_chunk_size, options.workers)
    profiler = cProfile.Profile() if options.profile else None
    if profiler is not None:
        profiler.enable()
    seconds, timeline = _timed(bill_runs_post_dispatched, runs, actor, options, kwargs)
    if profiler is not None:
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(options.profile)
        print(out.getvalue(), file=sys.stderr)
    return {"post_s": seconds, "post_timeline": timeline}


def _chunking(chunk_size: int | None, workers: int) -> dict[str, Any]:
    return {"workers": workers} | ({"chunk_size": chunk_size} if chunk_size else {})


def _timed(
    step: Any, runs: list[BillRun], actor: User, options: argparse.Namespace, kwargs: Any
) -> tuple[float, list[list[float]]]:
    """Seconds the runs took (all together, or ``--one-by-one``), and their timelines."""
    batches = [[run] for run in runs] if options.one_by_one else [runs]
    seconds, timeline = 0.0, []
    for batch in batches:
        if not batch:
            continue
        started = time.perf_counter()
        marks = ChunkMarks(started)
        step(runs=batch, actor=actor, on_chunk=marks.append, **kwargs)
        seconds += time.perf_counter() - started
        timeline.append([*marks.times, round(time.perf_counter() - started, 3)])
    return seconds, timeline


class ChunkMarks:
    """Seconds from ``started`` at which each chunk finished (the timeline of a batch of
    runs: the first mark is when its first chunk committed, the gaps show the processes'
    overlap, the last figure is when the batch returned)."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.times: list[float] = []

    def append(self, _done: object) -> None:
        self.times.append(round(time.perf_counter() - self.started, 3))


def tally(by_cycle: Periods) -> dict[str, Any]:
    runs = list(period_runs(by_cycle).order_by("pk").values_list("pk", flat=True))
    bills = Bill.objects.filter(run_id__in=runs)
    return {
        "runs": runs,
        "bills": bills.count(),
        "bills_posted": bills.filter(status=Bill.Status.POSTED).count(),
    }


def baseline(runs: list[int]) -> dict[str, Any]:
    """Copy this run's rows with INSERT ... SELECT into empty twins of their tables."""
    ids = ", ".join(str(r) for r in runs)
    bills = f"SELECT id FROM billing_bill WHERE run_id IN ({ids})"
    entries = f"SELECT journal_entry_id FROM billing_bill WHERE run_id IN ({ids})"
    tables = {
        Bill._meta.db_table: f"run_id IN ({ids})",
        BillLine._meta.db_table: f"bill_id IN ({bills})",
        JournalEntry._meta.db_table: f"id IN ({entries})",
        Posting._meta.db_table: f"entry_id IN ({entries})",
    }
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS bench_copy_{table}")
            cursor.execute(f"CREATE TABLE bench_copy_{table} AS SELECT * FROM {table} WHERE 1 = 0")
        started = time.perf_counter()
        with transaction.atomic():
            for table, where in tables.items():
                cursor.execute(
                    f"INSERT INTO bench_copy_{table} SELECT * FROM {table} WHERE {where}"
                )
                rows[table] = cursor.rowcount
        seconds = time.perf_counter() - started
        for table in tables:
            cursor.execute(f"DROP TABLE bench_copy_{table}")
    return {"baseline_s": seconds, "baseline_rows": rows}


STEPS = ("setup", "calculate", "post", "baseline")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("months_back", nargs="?", type=int, default=1)
    parser.add_argument(
        "--steps", default=",".join(STEPS), help="comma-separated: " + ", ".join(STEPS)
    )
    parser.add_argument("--post-chunk-size", type=int, default=None)
    parser.add_argument("--calculate-chunk-size", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2, metavar="N")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument(
        "--one-by-one",
        action="store_true",
        help="calculate and post each cycle's run on its own (default: all together)",
    )
    parser.add_argument(
        "--current", action="store_true", help="bill each cycle's current demo period"
    )
    args = parser.parse_args()
    args.steps = [step for step in args.steps.split(",") if step]
    unknown = set(args.steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    return args


def main() -> None:
    args = arguments()
    by_cycle = periods(args.months_back, args.current)
    figures: dict[str, Any] = {"database": connection.vendor}
    figures["period"] = sorted({f"{first} to {last}" for first, last in by_cycle.values()})
    figures["load_average"] = os.getloadavg()
    figures["workers"] = args.workers
    figures["runs_together"] = not args.one_by_one
    if "setup" in args.steps and not args.current:
        figures |= setup(period(args.months_back)[1])
    figures["accounts"] = Account.objects.count()
    figures["posted_bills_before"] = Bill.objects.filter(status=Bill.Status.POSTED).count()
    if "calculate" in args.steps:
        figures |= calculate(by_cycle, args)
    if "post" in args.steps:
        figures |= post(by_cycle, args)
    figures |= tally(by_cycle)
    if "calculate" in args.steps and "post" in args.steps:
        figures["total_s"] = figures["calculate_s"] + figures["post_s"]
    if "baseline" in args.steps and figures["bills_posted"]:
        figures |= baseline(figures["runs"])
        if "total_s" in figures:
            figures["ratio"] = figures["total_s"] / figures["baseline_s"]
    json.dump(figures, sys.stdout, default=str)
    print()


if __name__ == "__main__":
    main()
