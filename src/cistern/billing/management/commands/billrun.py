"""``cistern billrun create|calculate|review|post|issue|status``: bill runs from the terminal.

``calculate`` and ``post`` run their chunks through ``billing.dispatch`` with a text
progress bar: on Celery workers when ``CISTERN_BROKER_URL`` is set, else in this process,
on ``--workers N`` child processes (default ``CISTERN_BILLRUN_WORKERS``, else the number of
CPUs). Chunks are 5,000 accounts unless ``--chunk-size`` says otherwise. Both take one run
or several (``calculate 12 13 14``: the cycles of a period, say), whose chunks then share the
processes; every run named is checked before any is touched.
Both are safe to run again: after a crash, run the same command and it picks up where it
stopped (posting never posts a bill twice).

``issue`` marks a posted run issued and makes its documents (every bill's PDF, the print
file, the e-mails) with a progress bar, their batches spread the same way
(``billing.documents.dispatch``). On a run already issued it makes whatever is missing: run
it again after an interruption; no e-mail goes twice.
"""

from __future__ import annotations

import os
import time
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cistern.billing.chunks import CALCULATE_CHUNK_SIZE, ChunkDone
from cistern.billing.dispatch import (
    DispatchReport,
    bill_runs_calculate_dispatched,
    bill_runs_post_dispatched,
)
from cistern.billing.documents.dispatch import bill_run_documents_dispatched
from cistern.billing.documents.print_file import BATCH_SIZE
from cistern.billing.models import BillingCycle, BillRun
from cistern.billing.posting import POST_CHUNK_SIZE
from cistern.billing.selectors import run_progress
from cistern.billing.services import (
    bill_run_create,
    bill_run_issue,
    bill_run_review,
)
from cistern.core.errors import ServiceError
from cistern.staff.models import User

BAR_WIDTH = 30
CHUNK_SIZES = {"calculate": CALCULATE_CHUNK_SIZE, "post": POST_CHUNK_SIZE}
WORKER_STEPS = ("calculate", "post", "issue")


def progress_bar(done: int, total: int, started: float, now: float) -> str:
    """``[#######.......]  350/1000  35%  120/s  ~5s left``."""
    share = done / total if total else 1.0
    filled = int(share * BAR_WIDTH)
    elapsed = max(now - started, 1e-6)
    rate = done / elapsed
    left = (total - done) / rate if rate else 0.0
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    return f"[{bar}] {done:>7}/{total:<7} {share:4.0%} {rate:8.0f}/s  ~{left:.0f}s left"


def _workers(given: int | None) -> int:
    """``--workers``, else the setting (tests set 1), else one process per CPU, on either
    database: SQLite has one writer at a time, but a chunk reads, rates or plans before its
    write transaction, so a second process works while the first writes (measured on the
    100,000-account demo, docs/operations/workers.md)."""
    if given is not None and given < 1:
        raise CommandError("--workers must be at least 1.")
    configured = getattr(settings, "CISTERN_BILLRUN_WORKERS", 0)
    return given or configured or os.cpu_count() or 1


def _runs(ids: list[int]) -> list[BillRun]:
    """The runs named, in the order named; every one must exist."""
    found = BillRun.objects.in_bulk(ids)
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise CommandError(f"No bill run {', '.join(missing)}.")
    if len(set(ids)) < len(ids):
        raise CommandError("A bill run is named twice.")
    return [found[i] for i in ids]


class Command(BaseCommand):
    help = "Create, calculate, review, post and issue bill runs."
    workers = 1

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="Username recorded as the actor (default: system).")
        sub = parser.add_subparsers(dest="step", required=True)
        create = sub.add_parser("create", help="Create a draft run for a cycle and period.")
        create.add_argument("--cycle", required=True, help="Billing cycle code")
        for name in ("--start", "--end", "--bill-date", "--due-date"):
            create.add_argument(name, required=True, type=date.fromisoformat, help="YYYY-MM-DD")
        for step in ("calculate", "review", "post", "issue", "status"):
            p = sub.add_parser(step)
            if step in CHUNK_SIZES:
                p.add_argument("run_id", type=int, nargs="+", help="One run or several.")
            else:
                p.add_argument("run_id", type=int)
            if step == "issue":
                p.add_argument(
                    "--batch-size", dest="chunk_size", type=int, default=BATCH_SIZE,
                    help=f"Bills in each print file (default {BATCH_SIZE}).",
                )  # fmt: skip
            else:
                p.add_argument(
                    "--chunk-size", type=int, default=CHUNK_SIZES.get(step, CALCULATE_CHUNK_SIZE)
                )
            if step not in WORKER_STEPS:
                continue
            p.add_argument(
                "--workers", type=int, default=None, metavar="N",
                help="Processes that run chunks when no broker is configured (default: "
                "CISTERN_BILLRUN_WORKERS, else the number of CPUs).",
            )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options.get("user"))
        try:
            if options["step"] == "create":
                self._create(options, actor)
                return
            self.workers = _workers(options.get("workers"))
            step = getattr(self, f"_{options['step']}")
            ids = options["run_id"]
            if isinstance(ids, list):
                step(_runs(ids), actor, options["chunk_size"])
            else:
                step(_runs([ids])[0], actor, options["chunk_size"])
        except ServiceError as error:
            raise CommandError(error.message) from error

    def _actor(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No staff user {username}.")
        return user

    def _create(self, options: dict[str, Any], actor: Any) -> None:
        cycle = BillingCycle.objects.filter(code=options["cycle"]).first()
        if cycle is None:
            raise CommandError(f"No billing cycle {options['cycle']}.")
        run = bill_run_create(
            cycle=cycle, period_start=options["start"], period_end=options["end"],
            bill_date=options["bill_date"], due_date=options["due_date"], actor=actor,
        )  # fmt: skip
        self.stdout.write(f"Created bill run {run.pk} ({run}).")

    def _bar(self) -> Any:
        started = time.monotonic()

        def show(done: ChunkDone) -> None:
            line = progress_bar(done.accounts_done, done.accounts_total, started, time.monotonic())
            self.stdout.write("\r" + line, ending="")
            self.stdout.flush()

        return show

    def _calculate(self, runs: list[BillRun], actor: Any, chunk_size: int) -> None:
        reports = bill_runs_calculate_dispatched(
            runs=runs, actor=actor, chunk_size=chunk_size, on_chunk=self._bar(),
            workers=self.workers,
        )  # fmt: skip
        self.stdout.write("")
        for report in reports:
            run = report.run
            self._workers(report)
            open_count = run.exceptions.filter(resolution="open").count()
            self.stdout.write(
                f"{self._which(run, runs)}Calculated {run.bills_calculated} bills, total "
                f"${run.total_cents / 100:,.2f}; {open_count} exception(s) to review."
            )

    def _which(self, run: BillRun, runs: list[BillRun]) -> str:
        """``Run 12: `` before a run's summary when several were run."""
        return f"Run {run.pk}: " if len(runs) > 1 else ""

    def _workers(self, report: DispatchReport) -> None:
        """``Chunks by worker: w1@host 4, w2@host 4`` (one line; the test reads it)."""
        counts = report.chunks_by_worker()
        if counts:
            listed = ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))
            self.stdout.write(f"Chunks by worker: {listed}")

    def _review(self, run: BillRun, actor: Any, chunk_size: int) -> None:
        bill_run_review(run=run, actor=actor)
        self.stdout.write(f"Bill run {run.pk} reviewed.")

    def _post(self, runs: list[BillRun], actor: Any, chunk_size: int) -> None:
        reports = bill_runs_post_dispatched(
            runs=runs, actor=actor, chunk_size=chunk_size, on_chunk=self._bar(),
            workers=self.workers,
        )  # fmt: skip
        self.stdout.write("")
        for report in reports:
            run = report.run
            self._workers(report)
            self.stdout.write(
                f"{self._which(run, runs)}Posted {run.bills_posted} bills; "
                f"run is {run.get_status_display()}."
            )

    def _issue(self, run: BillRun, actor: Any, chunk_size: int) -> None:
        if run.status != BillRun.Status.ISSUED:
            bill_run_issue(run=run, actor=actor, documents=False)
            self.stdout.write(f"Bill run {run.pk} issued.")
        report = bill_run_documents_dispatched(
            run_id=run.pk, batch_size=chunk_size, on_batch=self._bar(), workers=self.workers
        )
        self.stdout.write("")
        counts = report.batches_by_worker
        if counts:
            listed = ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))
            self.stdout.write(f"Batches by worker: {listed}")
        result = report.result
        self.stdout.write(
            f"{result.printed} bills in {result.batches} print files; "
            f"{result.emailed} e-mailed now."
        )

    def _status(self, run: BillRun, actor: Any, chunk_size: int) -> None:
        p = run_progress(run=run)
        self.stdout.write(
            f"{run} {run.get_status_display()}: {p.posted}/{p.to_post} posted, "
            f"{p.held} held, {p.open_exceptions} open exception(s)."
        )
