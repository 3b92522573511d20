"""Bill-run chunks on two real Celery workers over Redis equal the in-process run; the
workers also make an issued run's documents together.

The distributed test is PostgreSQL only: the workers are separate processes that must see
the test's committed data (``transaction=True``). It uses the Redis server on
127.0.0.1:6379 when one answers (database 15, and a billing queue of its own so that
nobody else's workers take its chunks); otherwise it starts a throwaway ``redis-server`` on
a free port. Without ``redis-server`` installed it fails and says to install it.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.db.models import Sum

from cistern.billing import dispatch
from cistern.billing.models import (
    BillDocument,
    BillingCycle,
    BillPrintBatch,
    BillPrintIndex,
    BillRun,
)
from cistern.billing.services import (
    bill_run_calculate,
    bill_run_post,
    bill_run_review,
)
from cistern.ledger.chart_services import ledger_chart_seed
from cistern.ledger.models import JournalEntry
from cistern.staff.roles import Role
from config import celery_app
from tests.factories.staff import staff_user
from tests.integration.billing import makers
from tests.integration.billing.run_compare import cycle_with_run, run_bills, run_receivable

ROOT = Path(__file__).resolve().parents[3]
ACCOUNTS = 40
CHUNK_SIZE = 5
WAIT_SECONDS = 40
INSTALL_REDIS = (
    "No Redis answers on 127.0.0.1:6379 and redis-server is not installed: install it "
    "(apt-get install redis-server) so this test can start its own."
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def broker_url() -> Iterator[str]:
    """The development Redis (database 15) if it answers, else a throwaway server."""
    if _answers("redis://127.0.0.1:6379/15"):
        yield "redis://127.0.0.1:6379/15"
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(INSTALL_REDIS)
    port = _free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while not _answers(url):
            assert server.poll() is None and time.monotonic() < deadline, "redis did not start"
            time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def _env(broker: str, queue: str, var_dir: Path) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CISTERN_BROKER_URL": broker, "CISTERN_BILLING_QUEUE": queue,
        "CISTERN_DISPATCH_TIMEOUT_SECONDS": str(WAIT_SECONDS), "CISTERN_VAR_DIR": str(var_dir),
    }  # fmt: skip


@pytest.fixture
def workers(broker_url, tmp_path) -> Iterator[dict[str, object]]:
    """Two ``celery -A config worker`` processes (solo pool) on a queue of this test's own."""
    env = _env(broker_url, f"billing-test-{uuid.uuid4().hex[:8]}", tmp_path / "var")
    names = [f"w{n}-{uuid.uuid4().hex[:6]}@test" for n in (1, 2)]
    logs = [tmp_path / f"worker{n}.log" for n in (1, 2)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-Q",
                env["CISTERN_BILLING_QUEUE"],
                "-n",
                name,
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--logfile={log}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        for name, log in zip(names, logs, strict=True)
    ]
    try:
        deadline = time.monotonic() + 30
        for proc, log in zip(procs, logs, strict=True):
            while not (log.exists() and "ready." in log.read_text()):
                assert proc.poll() is None, f"worker exited: {_tail(log)}"
                assert time.monotonic() < deadline, f"worker not ready: {_tail(log)}"
                time.sleep(0.1)
        yield {"env": env, "names": names, "logs": logs}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _tail(log: Path) -> str:
    return log.read_text()[-2000:] if log.exists() else "(no log)"


def _billrun(env: dict[str, str], *args: str) -> str:
    return _manage(env, "billrun", *args)


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=WAIT_SECONDS + 20,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _chunks_by_worker(output: str, what: str = "Chunks") -> dict[str, int]:
    found = re.search(rf"{what} by worker: (.*)", output)
    assert found, output
    return {name: int(n) for name, n in re.findall(r"(\S+) (\d+)", found.group(1))}


def _setup() -> object:
    ledger_chart_seed()
    clerk = staff_user(Role.CSR_III)
    makers.rate_schedules(staff_user(Role.MANAGER))
    return clerk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_celery_workers_post_one_run_together_and_match_the_in_process_run(
    workers,
) -> None:
    # given two identical cycles, one for the workers and one billed in this process
    clerk = _setup()
    remote = cycle_with_run("CW", clerk, ACCOUNTS)
    local = cycle_with_run("CL", clerk, ACCOUNTS)
    env, size = workers["env"], str(CHUNK_SIZE)

    # when the workers calculate and post one run through the broker
    calculated = _billrun(env, "calculate", str(remote.pk), "--chunk-size", size)
    bill_run_review(run=remote, actor=clerk)
    posted = _billrun(env, "post", str(remote.pk), "--chunk-size", size)
    # and the other run is calculated and posted in-process, the original way
    local = bill_run_calculate(run=local, actor=clerk, chunk_size=CHUNK_SIZE)
    bill_run_post(run=bill_run_review(run=local, actor=clerk), actor=clerk)

    # then both workers did part of each step, every chunk once
    names = set(workers["names"])
    for output in (calculated, posted):
        by_worker = _chunks_by_worker(output)
        assert set(by_worker) == names and sum(by_worker.values()) == ACCOUNTS // CHUNK_SIZE
    succeeded = [log.read_text().count("cistern.billing.post_chunk[") for log in workers["logs"]]
    assert all(succeeded), succeeded
    # and every bill is posted exactly once, under its own ledger key
    remote.refresh_from_db()
    local.refresh_from_db()
    assert remote.status == BillRun.Status.POSTED and remote.bills_posted == ACCOUNTS
    keys = Counter(
        JournalEntry.objects.filter(
            idempotency_key__in=[f"bill:{pk}" for pk in remote.bills.values_list("pk", flat=True)]
        ).values_list("idempotency_key", flat=True)
    )
    assert len(keys) == ACCOUNTS and set(keys.values()) == {1}
    # and the result equals the in-process run line for line, and ties to the ledger
    assert run_bills(remote) == run_bills(local)
    assert remote.total_cents == local.total_cents > 0
    assert run_receivable(remote) == remote.bills.aggregate(s=Sum("total_cents"))["s"]
    assert run_receivable(remote) == run_receivable(local)

    # and a further post through the broker bills nothing
    entries = JournalEntry.objects.count()
    again = _billrun(env, "post", str(remote.pk), "--chunk-size", size)
    assert "Chunks by worker" not in again and f"Posted {ACCOUNTS} bills" in again
    assert JournalEntry.objects.count() == entries


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_celery_workers_make_an_issued_runs_documents_together(workers) -> None:
    # given a posted run of 40 accounts
    clerk = _setup()
    run = bill_run_calculate(run=cycle_with_run("CD", clerk, ACCOUNTS), actor=clerk)
    run = bill_run_post(run=bill_run_review(run=run, actor=clerk), actor=clerk)

    # when the workers issue it through the broker, in print files of 10 bills
    out = _billrun(workers["env"], "issue", str(run.pk), "--batch-size", "10")

    # then both workers made print files, each file once
    by_worker = _chunks_by_worker(out, "Batches")
    assert set(by_worker) == set(workers["names"]) and sum(by_worker.values()) == 4
    assert f"{ACCOUNTS} bills in 4 print files; 0 e-mailed now." in out
    # and every bill has its one PDF, and the run is issued
    assert BillDocument.objects.filter(bill__run=run).count() == ACCOUNTS
    assert BillPrintBatch.objects.filter(run=run).count() == 4
    run.refresh_from_db()
    assert run.status == BillRun.Status.ISSUED and run.print_index.bill_count == ACCOUNTS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_marking_a_run_issued_queues_its_documents_and_the_last_print_file_writes_the_index(
    workers,
) -> None:
    # given a posted run of 40 accounts
    clerk = _setup()
    run = bill_run_calculate(run=cycle_with_run("CQ", clerk, ACCOUNTS), actor=clerk)
    run = bill_run_post(run=bill_run_review(run=run, actor=clerk), actor=clerk)

    # when it is marked issued where a broker is configured, as the run page's button does
    issue = (
        "from cistern.billing.models import BillRun\n"
        "from cistern.billing.services import bill_run_issue\n"
        f"bill_run_issue(run=BillRun.objects.get(pk={run.pk}), actor=None)\n"
        "print('returned')"
    )
    assert "returned" in _manage(workers["env"], "shell", "-c", issue)

    # then the workers make the documents with nobody waiting, and the print file that
    # completes the set writes the index
    deadline = time.monotonic() + WAIT_SECONDS
    while not BillPrintIndex.objects.filter(run=run).exists():
        assert time.monotonic() < deadline, [_tail(log) for log in workers["logs"]]
        time.sleep(0.2)
    assert BillPrintIndex.objects.get(run=run).bill_count == ACCOUNTS
    assert BillPrintBatch.objects.filter(run=run).count() == 1  # 40 bills: one print file
    assert BillDocument.objects.filter(bill__run=run).count() == ACCOUNTS
    done = re.compile(r"cistern\.billing\.document_batch\[[^\]]+\] succeeded")
    made = [len(done.findall(log.read_text())) for log in workers["logs"]]
    assert sum(made) == 1, made


@pytest.mark.django_db
def test_without_a_broker_dispatch_runs_the_same_chunks_in_this_process() -> None:
    # given no broker and a cycle of 40 accounts
    assert not dispatch.broker_configured()
    clerk = _setup()
    run = cycle_with_run("CI", clerk, ACCOUNTS)
    seen: list[int] = []

    # when the run is calculated and posted through dispatch in chunks of 15
    [report] = dispatch.bill_runs_calculate_dispatched(
        runs=[run], actor=clerk, chunk_size=15, on_chunk=lambda d: seen.append(d.accounts_done)
    )
    bill_run_review(run=report.run, actor=clerk)
    [posted] = dispatch.bill_runs_post_dispatched(runs=[run], actor=clerk, chunk_size=15)

    # then the chunks ran here, in order, through the task functions the workers run
    worker = dispatch.tasks.in_process_worker()
    assert [(o.index, o.count, o.worker) for o in report.outcomes] == [
        (0, 15, worker), (1, 15, worker), (2, 10, worker),
    ]  # fmt: skip
    assert seen == [15, 30, 40]
    assert [o.count for o in posted.outcomes] == [15, 15, 10]
    assert posted.outcomes[0].key.startswith(f"billrun:{run.pk}:post:")
    assert posted.run.status == BillRun.Status.POSTED and posted.run.bills_posted == ACCOUNTS
    assert run_receivable(posted.run) == posted.run.bills.aggregate(s=Sum("total_cents"))["s"]
    # and posting again dispatches nothing
    [again] = dispatch.bill_runs_post_dispatched(runs=[run], actor=clerk)
    assert again.outcomes == []


def test_billing_tasks_are_routed_to_the_billing_queue() -> None:
    for name in ("cistern.billing.calculate_chunk", "cistern.billing.post_chunk"):
        assert name in celery_app.tasks
        route = celery_app.amqp.router.route({}, name)
        assert route["queue"].name == "billing"
    assert BillingCycle  # the billing app's models load with the Celery app
