"""A persisted bill run over the demo district, against a plain set-based SQL insert.

Run on a built demo (``cistern demo --accounts N``) in ``DATABASE_URL``. Setup (not timed):
the billing tests' rate schedules (tests/integration/billing/makers.py: water base + two
tiers, sewer volumetric) and one accepted actual read per installed meter for last month,
written in bulk. Timed: for every billing cycle, ``bill_run_calculate`` (draft bills and
lines) and ``bill_run_post`` (journal entries, postings, audit rows, bills marked posted),
as ``cistern billrun`` runs them; the review step is skipped (runs are marked reviewed
directly: reviewing is a person's decision, not work the machine does).

Baseline, in the same run: ``INSERT INTO copy SELECT * FROM table`` of the very bill, line,
entry and posting rows the run wrote, into empty copies of those tables, timed in one
transaction: what the database needs to write the rows with no application in the way.
Prints the figures as JSON.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from cistern.billing.models import Bill, BillingCycle, BillLine, BillRun  # noqa: E402
from cistern.billing.services import (  # noqa: E402
    bill_run_calculate,
    bill_run_create,
    bill_run_post,
)
from cistern.core.calendar import district_today  # noqa: E402
from cistern.customers.models import Account  # noqa: E402
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


def setup(last_day: date) -> dict[str, float]:
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


def bill_runs(first_day: date, last_day: date) -> dict[str, float]:
    actor = User.objects.get(username="frank")
    calc_s = post_s = 0.0
    runs = []
    for cycle in BillingCycle.objects.order_by("code"):
        run = bill_run_create(
            cycle=cycle,
            period_start=first_day,
            period_end=last_day,
            bill_date=district_today(),
            due_date=district_today() + timedelta(21),
            actor=actor,
        )
        started = time.perf_counter()
        bill_run_calculate(run=run, actor=actor)
        calc_s += time.perf_counter() - started
        BillRun.objects.filter(pk=run.pk).update(status=BillRun.Status.REVIEWED)
        started = time.perf_counter()
        bill_run_post(run=run, actor=actor)
        post_s += time.perf_counter() - started
        runs.append(run.pk)
    bills = Bill.objects.filter(run_id__in=runs)
    return {
        "runs": runs,
        "calculate_s": calc_s,
        "post_s": post_s,
        "total_s": calc_s + post_s,
        "bills": bills.count(),
        "bills_posted": bills.filter(status=Bill.Status.POSTED).count(),
    }


def baseline(runs: list[int]) -> dict[str, float]:
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


def main() -> None:
    months_back = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    first_day, last_day = period(months_back)
    figures = {"database": connection.vendor, "period": [str(first_day), str(last_day)]}
    figures |= setup(last_day)
    figures["accounts"] = Account.objects.count()
    figures |= bill_runs(first_day, last_day)
    figures |= baseline(figures["runs"])
    figures["ratio"] = figures["total_s"] / figures["baseline_s"]
    json.dump(figures, sys.stdout, default=str)
    print()


if __name__ == "__main__":
    main()
