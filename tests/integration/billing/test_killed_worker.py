"""A posting process killed with SIGKILL mid-run is resumed by running the command again.

PostgreSQL only: the worker is a real ``cistern billrun post`` process that must see the
test's committed data (``transactional_db``) and be killed without any chance to clean up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db.models import Sum

from cistern.billing.models import Bill, BillRun
from cistern.billing.services import bill_run_calculate, bill_run_create, bill_run_review
from cistern.ledger.chart_services import ledger_chart_seed
from cistern.ledger.models import JournalEntry, Posting
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.billing import makers

pytestmark = [pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[3]
ACCOUNTS = 60


def _worker_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}


def _post_command(run_id: int) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), "billrun", "post", str(run_id),
            "--chunk-size", "10"]  # fmt: skip


def test_a_killed_posting_worker_is_resumed_with_nothing_doubled_or_missing(
    transactional_db,
) -> None:
    ledger_chart_seed()
    clerk = staff_user(Role.CSR_III)
    makers.rate_schedules(staff_user(Role.MANAGER))
    cycle = makers.cycle()
    for n in range(ACCOUNTS):
        makers.read(makers.account(billing_cycle=cycle), date(2025, 1, 31), 2 + n % 19)
    run = bill_run_create(
        cycle=cycle, period_start=date(2025, 1, 1), period_end=date(2025, 1, 31),
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip
    run = bill_run_review(run=bill_run_calculate(run=run, actor=clerk), actor=clerk)

    # when the worker is killed once a few chunks have committed: another session holds the
    # last chunk's bills (FOR UPDATE), so the worker waits there with the others committed
    # (posting is fast enough to finish a run between two looks at the count)
    blocker = psycopg.connect(_worker_env()["DATABASE_URL"])
    last_chunk = blocker.execute(
        "SELECT id FROM billing_bill WHERE run_id = %s ORDER BY account_id DESC LIMIT 10"
        " FOR UPDATE",
        [run.pk],
    ).fetchall()
    assert len(last_chunk) == 10
    worker = subprocess.Popen(
        _post_command(run.pk), cwd=ROOT, env=_worker_env(),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    try:
        while Bill.objects.filter(run=run, status="posted").count() < ACCOUNTS - 10:
            assert worker.poll() is None, worker.stderr.read().decode()
            assert time.monotonic() < deadline, "the worker did not post the first chunks"
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        blocker.close()  # rolls back: the lock goes
    posted_when_killed = Bill.objects.filter(run=run, status="posted").count()
    assert posted_when_killed == ACCOUNTS - 10

    # and the same command runs again
    subprocess.run(_post_command(run.pk), cwd=ROOT, env=_worker_env(), check=True,
                   capture_output=True)  # fmt: skip

    # then every bill is posted once, the totals tie, and a further run bills nothing
    run.refresh_from_db()
    assert run.status == BillRun.Status.POSTED
    assert run.bills.filter(status="posted").count() == ACCOUNTS
    keys = Counter(
        JournalEntry.objects.filter(source="bill").values_list("idempotency_key", flat=True)
    )
    assert len(keys) == ACCOUNTS and set(keys.values()) == {1}
    receivable = Posting.objects.filter(
        entry__source="bill", customer_account__isnull=False
    ).aggregate(s=Sum("amount_cents"))["s"]
    assert receivable == run.bills.aggregate(s=Sum("total_cents"))["s"]
    entries = JournalEntry.objects.count()
    subprocess.run(_post_command(run.pk), cwd=ROOT, env=_worker_env(), check=True,
                   capture_output=True)  # fmt: skip
    assert JournalEntry.objects.count() == entries
