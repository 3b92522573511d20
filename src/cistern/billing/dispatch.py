"""Running a bill run's chunks: on Celery workers when a broker is configured, else here.

``dispatch_chunks`` is the one place that decides. With ``CISTERN_BROKER_URL`` set it sends
one task per chunk (``billing.tasks``) to the billing queue and waits, with a time limit,
reporting each chunk as its result arrives; without a broker it calls the very same plain
chunk functions in this process, one after another, or with ``workers=N`` on N child
processes forked from this one (``chunks.chunk_results``). It does not use Celery's eager mode:
calling the functions directly keeps the no-broker path free of Celery machinery, and the
code that runs a chunk is identical either way.

``bill_runs_calculate_dispatched`` and ``bill_runs_post_dispatched`` are what the ``billrun``
command calls, for one run or several: the same checks as ``calculation.bill_run_calculate``
and ``posting.bill_run_post`` (every run is checked before any work starts), the chunks of
all the runs through one ``dispatch_chunks``, then the same finish, run by run. Posting
finishes by calling ``bill_run_post`` itself, which posts any draft a chunk left (none,
normally) in-process and sets the run's counters and status: a dispatch that stopped
part-way is resumed by running the command again, and nothing posts twice.

Several runs at once (the cycles of one period, say) share one set of child processes: each
run started on its own pays for forking them, their connections, rating its first chunk
with empty caches and, on SQLite, a first write that waits for the first chunk's reading
and rating. Together those are paid once, and runs of the same period share compiled rates.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.billing import tasks
from cistern.billing.calculation import RUN_NOT_DRAFT, RatedLines
from cistern.billing.calculation import _finish as calculate_finish
from cistern.billing.chunks import (
    CALCULATE_CHUNK_SIZE,
    Chunk,
    ChunkDone,
    ProgressHook,
    account_chunks,
    chunk_failure,
    chunk_results,
)
from cistern.billing.inputs import cycle_accounts
from cistern.billing.models import Bill, BillRun
from cistern.billing.posting import POST_CHUNK_SIZE, RUN_NOT_REVIEWED, bill_run_post
from cistern.billing.rating import RaterSet
from cistern.core.errors import ServiceError
from cistern.customers.models import Account

CALCULATE = "calculate"
POST = "post"
DISPATCH_TIMEOUT = (
    "{left} of {total} chunks did not finish within {seconds} seconds. Check that billing "
    "workers are running (celery -A config worker -Q billing), then run the command again: "
    "finished chunks are not redone."
)
POLL_SECONDS = 0.05
Outcome = TypeVar("Outcome")

_WORK: dict[str, Callable[..., dict[str, Any]]] = {
    CALCULATE: tasks.calculate_chunk,
    POST: tasks.post_chunk,
}
_TASKS = {CALCULATE: tasks.calculate_chunk_task, POST: tasks.post_chunk_task}


@dataclass(frozen=True)
class ChunkOutcome:
    """One finished chunk: how many bills it wrote or posted, and where it ran."""

    index: int
    key: str
    count: int
    worker: str
    run_id: int


@dataclass(frozen=True)
class RunChunks:
    """One run's chunks to dispatch, and (calculating in this process) its compiled rates."""

    run_id: int
    chunks: list[Chunk]
    rated: RatedLines | None = None


@dataclass
class DispatchReport:
    run: BillRun
    outcomes: list[ChunkOutcome] = field(default_factory=list)

    def chunks_by_worker(self) -> dict[str, int]:
        return dict(Counter(o.worker for o in self.outcomes))


def broker_configured() -> bool:
    return bool(getattr(settings, "CELERY_BROKER_URL", ""))


def chunk_payload(kind: str, run_id: int, chunk: Chunk, actor_id: int | None) -> dict[str, Any]:
    """A chunk task's arguments: plain values and the key naming this chunk of this run."""
    first, last = chunk.first_account_id, chunk.last_account_id
    return {
        "run_id": run_id,
        "index": chunk.index,
        "first_account_id": first,
        "last_account_id": last,
        "size": chunk.size,
        "actor_id": actor_id,
        "key": f"billrun:{run_id}:{kind}:{first}-{last}",
    }


def dispatch_chunks(
    *,
    kind: str,
    runs: list[RunChunks],
    actor_id: int | None = None,
    on_chunk: ProgressHook | None = None,
    timeout: float | None = None,
    workers: int = 1,
) -> list[ChunkOutcome]:
    """Run the runs' chunks (on Celery workers if a broker is configured, else here, on
    ``workers`` processes, all the runs' chunks sharing them); outcomes in order. Chunks
    are numbered across the runs. A run's ``rated`` (its compiled rates) is shared by its
    in-process calculate chunks (a Celery task compiles its own)."""
    chunks: list[Chunk] = []
    payloads: list[dict[str, Any]] = []
    rated: dict[int, RatedLines | None] = {}
    for run in runs:
        rated[run.run_id] = run.rated
        for chunk in run.chunks:
            chunks.append(replace(chunk, index=len(chunks)))
            payloads.append(chunk_payload(kind, run.run_id, chunks[-1], actor_id))
    progress = _Progress(chunks, payloads, on_chunk)
    if not broker_configured():

        def work(chunk: Chunk) -> dict[str, Any]:
            payload = payloads[chunk.index]
            extra = {}
            if kind == CALCULATE and rated[payload["run_id"]] is not None:
                extra["rated"] = rated[payload["run_id"]]
            return _WORK[kind](payload, worker=tasks.in_process_worker(), **extra)

        results = chunk_results(chunks, work, workers=workers)
        outcomes = [progress.done(r) for _c, r in results]
        return sorted(outcomes, key=lambda o: o.index)
    limit = timeout if timeout is not None else settings.CISTERN_DISPATCH_TIMEOUT_SECONDS
    return _on_workers(kind, payloads, progress, limit)


class _Progress:
    def __init__(
        self, chunks: list[Chunk], payloads: list[dict[str, Any]], on_chunk: ProgressHook | None
    ) -> None:
        self.chunks = {c.index: c for c in chunks}
        self.payloads = payloads
        self.total = sum(c.size for c in chunks)
        self.done_accounts = 0
        self.on_chunk = on_chunk

    def done(self, result: dict[str, Any]) -> ChunkOutcome:
        index = result["index"]
        run_id = self.payloads[index]["run_id"]
        outcome = ChunkOutcome(index, result["key"], result["count"], result["worker"], run_id)
        chunk = self.chunks[outcome.index]
        self.done_accounts += chunk.size
        if self.on_chunk is not None:
            self.on_chunk(ChunkDone(chunk, len(self.chunks), self.done_accounts, self.total))
        return outcome


def _on_workers(
    kind: str, payloads: list[dict[str, Any]], progress: _Progress, limit: float
) -> list[ChunkOutcome]:
    return await_tasks(
        _TASKS[kind],
        payloads,
        done=progress.done,
        failed=lambda index, error: _failure(progress.chunks[index], error),
        limit=limit,
    )


def await_tasks(
    task: Any,
    payloads: list[dict[str, Any]],
    *,
    done: Callable[[dict[str, Any]], Outcome],
    failed: Callable[[int, object], str],
    limit: float,
) -> list[Outcome]:
    """Send one task per payload (each with an ``index`` and a ``key``) and wait, calling
    ``done`` with each result as it arrives; the outcomes by index. Tasks that failed, and
    tasks not finished within ``limit`` seconds, stop it with a message naming them."""
    pending = {
        p["index"]: task.apply_async(args=[p], task_id=f"{p['key']}:{uuid.uuid4().hex[:12]}")
        for p in payloads
    }
    outcomes: list[tuple[int, Outcome]] = []
    failures: list[str] = []
    deadline = time.monotonic() + limit
    while pending:
        for index, result in list(pending.items()):
            if not result.ready():
                continue
            del pending[index]
            if result.successful():
                outcomes.append((index, done(result.result)))
            else:
                failures.append(failed(index, result.result))
            result.forget()
        if pending and time.monotonic() > deadline:
            message = _(DISPATCH_TIMEOUT).format(
                left=len(pending), total=len(payloads), seconds=int(limit)
            )
            raise ServiceError(message)
        if pending:
            time.sleep(POLL_SECONDS)
    if failures:
        raise ServiceError(" ".join(failures))
    return [outcome for _index, outcome in sorted(outcomes, key=lambda o: o[0])]


def _failure(chunk: Chunk, error: object) -> str:
    return chunk_failure(chunk, error)


def bill_runs_calculate_dispatched(
    *,
    runs: list[BillRun],
    actor: Any,
    chunk_size: int = CALCULATE_CHUNK_SIZE,
    on_chunk: ProgressHook | None = None,
    workers: int = 1,
) -> list[DispatchReport]:
    """Calculate several runs, their chunks dispatched together; a report per run, in order.
    Every run is checked before any is touched: one that cannot be calculated stops them all."""
    runs = [BillRun.objects.get(pk=run.pk) for run in runs]
    for run in runs:
        if run.status not in (BillRun.Status.DRAFT, BillRun.Status.REVIEWED) or run.post_started_at:
            raise ServiceError(_(RUN_NOT_DRAFT).format(status=run.get_status_display()))
    rated_by_period: dict[Any, RatedLines] = {}
    work = []
    for run in runs:
        scope = cycle_accounts(
            cycle_id=run.cycle_id, first_day=run.period_start, last_day=run.period_end
        )
        ids = list(Account.objects.filter(scope).values_list("id", flat=True))
        BillRun.objects.filter(pk=run.pk).update(
            status=BillRun.Status.DRAFT, accounts_total=len(ids)
        )
        # In this process the rates are compiled once per period and shared (children
        # inherit them); a Celery task compiles its own.
        rated = None
        if not broker_configured():
            if run.period_end not in rated_by_period:
                raters = RaterSet.for_period(period_end=run.period_end)
                rated_by_period[run.period_end] = RatedLines(raters)
            rated = rated_by_period[run.period_end]
        work.append(RunChunks(run.pk, _chunks(ids, chunk_size, workers), rated))
    outcomes = dispatch_chunks(
        kind=CALCULATE, runs=work, actor_id=getattr(actor, "pk", None), on_chunk=on_chunk,
        workers=workers,
    )  # fmt: skip
    return [_report(calculate_finish(run, actor), outcomes) for run in runs]


def bill_runs_post_dispatched(
    *,
    runs: list[BillRun],
    actor: Any,
    chunk_size: int = POST_CHUNK_SIZE,
    on_chunk: ProgressHook | None = None,
    workers: int = 1,
) -> list[DispatchReport]:
    """Post several runs, their chunks dispatched together; a report per run, in order.
    Every run is checked before any is touched; each is resumable as a single run is."""
    runs = [BillRun.objects.get(pk=run.pk) for run in runs]
    for run in runs:
        if run.status not in (BillRun.Status.REVIEWED, BillRun.Status.POSTED):
            raise ServiceError(_(RUN_NOT_REVIEWED).format(status=run.get_status_display()))
    work = []
    for run in runs:
        BillRun.objects.filter(pk=run.pk, post_started_at__isnull=True).update(
            post_started_at=timezone.now()
        )
        drafts = run.bills.filter(status=Bill.Status.DRAFT).order_by()
        ids = list(drafts.values_list("account_id", flat=True))
        work.append(RunChunks(run.pk, _chunks(ids, chunk_size, workers)))
    outcomes = dispatch_chunks(
        kind=POST, runs=work, actor_id=getattr(actor, "pk", None), on_chunk=on_chunk,
        workers=workers,
    )  # fmt: skip
    # Posts whatever is still draft (nothing, unless a bill turned draft meanwhile), then
    # sets the counters and status exactly as an in-process post does.
    return [
        _report(bill_run_post(run=run, actor=actor, chunk_size=chunk_size), outcomes)
        for run in runs
    ]


def _chunks(ids: list[int], chunk_size: int, workers: int) -> list[Chunk]:
    """Chunks even over the processes of this one (``account_chunks``); Celery workers
    take chunks as they come, so there they are cut at the size."""
    return account_chunks(ids, chunk_size, workers=1 if broker_configured() else workers)


def _report(run: BillRun, outcomes: list[ChunkOutcome]) -> DispatchReport:
    return DispatchReport(run, [o for o in outcomes if o.run_id == run.pk])
