"""Splitting a run's accounts into chunks of account ids, and running them in-process.

A chunk is (run_id, first_account_id, last_account_id): plain values, so a task queue can
run chunks on several workers; without a broker they run here, one after another or, with
``workers=N``, in N child processes forked from this one. Each chunk commits on its own,
so a crash loses at most the chunks in flight, and running the same command again picks up
where it stopped.

Child processes: the parent closes its database connections before forking (a connection
must never be shared across a fork) and each child opens its own; what the parent built
before forking (a run's compiled rates) is inherited, not rebuilt. A chunk that fails in a
child is reported back by index and message; chunks not yet started are then not started,
those in flight finish, and ``ChunksFailed`` names the failures. On SQLite every child's
chunk transaction takes the write lock at BEGIN (``transaction_mode`` "IMMEDIATE") and
waits for it up to ``SQLITE_CHILD_TIMEOUT`` seconds, so concurrent chunks queue for the one
writer instead of failing with "database is locked".

Chunks do their reading and computing before their write transaction and wrap only the
transaction in ``writer_turn()``. On SQLite in a child that takes an exclusive ``flock`` on a
file beside the database first: the next child starts writing the moment the last one
commits, where SQLite's own busy handler polls the lock with sleeps of up to 100 ms. So
two processes overlap one chunk's Python work with another's writing.

Garbage collection, in the children: the parent freezes its objects (``gc.freeze``) before
forking, so a child's collector never walks them (walking them writes to each object's
header, copying the parent's pages into the child), and a child collects its youngest
generation every 50,000 allocations instead of every 700: a chunk makes millions of
short-lived rows and tuples and almost no reference cycles. Two processes, 100,000
accounts, back-to-back pairs: SQLite 11.0-12.5 s against 12.5-12.9 s, PostgreSQL
14.6-15.9 s against 17.2-19.2 s.

Commits, on PostgreSQL: a chunk's own transaction (``chunk_transaction``) commits without
waiting for its write-ahead log to reach the disk (``synchronous_commit`` off for that
transaction alone). A server crash can then lose the chunks committed in its last fraction
of a second; they are redone by running the command again, as a chunk in flight would be,
and nothing else can have built on them (a later synchronous commit flushes the log up to
itself, earlier chunks included; the run's own status change is one). Everything else a
chunk promises holds: it commits or rolls back whole, and posts nothing twice.

Checkpoints, on SQLite in a child: a commit that takes the write-ahead log past SQLite's
automatic checkpoint (1,000 pages) copies the log into the database file and syncs it before
the commit returns, that is inside the writer's turn, while the other child waits. A
5,000-bill chunk writes several thousand pages, so nearly every commit did. Children turn the
automatic checkpoint off and run a passive one after each turn, outside it: the copying
overlaps the next writer's transaction instead of delaying it, and the log is still
checkpointed after every chunk (a passive checkpoint never waits for, nor blocks, a writer).
"""

from __future__ import annotations

import fcntl
import gc
import multiprocessing
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.util import Finalize
from typing import Any, Protocol, TypeVar

from django.db import connection, connections, transaction
from django.utils.translation import gettext as _

from cistern.billing.collector import collect_as_chunk_process
from cistern.core.errors import ServiceError

DEFAULT_CHUNK_SIZE = 500
# Calculating in this process: a chunk costs a transaction and a dozen queries whatever its
# size, and a 5,000-account chunk takes well under a second, so bigger chunks cost nothing
# in what a crash loses and save most of that overhead.
CALCULATE_CHUNK_SIZE = 5000
# A child waits this long for SQLite's write lock; the other chunks hold it for a second or
# two each, so only a stuck writer elsewhere can make a chunk give up.
SQLITE_CHILD_TIMEOUT = 300
CHUNK_FAILED = (
    "Chunk {index} (accounts {first} to {last}) failed: {error}. Fix the cause and run the "
    "command again: finished chunks are not redone."
)

CHILD_DIED = (
    "A chunk process died ({error}); chunks it had not committed were not done. Run the "
    "command again to resume."
)


@dataclass(frozen=True)
class Chunk:
    index: int
    first_account_id: int
    last_account_id: int
    size: int


class Indexed(Protocol):
    """A unit of work ``chunk_results`` can run: a chunk of accounts, a batch of documents."""

    @property
    def index(self) -> int: ...


Work = TypeVar("Work", bound=Indexed)


@dataclass(frozen=True)
class ChunkDone:
    """Reported after each chunk commits: for progress bars and the run screen. (For a
    batch of documents, ``chunk`` is the batch and the accounts are its bills.)"""

    chunk: Indexed
    chunks_total: int
    accounts_done: int
    accounts_total: int


class ChunksFailed(ServiceError):
    """One or more chunks failed in child processes; the rest of the run is resumable."""

    def __init__(
        self,
        failures: list[tuple[Any, str]],
        describe: Callable[[Any, object], str] | None = None,
    ) -> None:
        self.failures = failures
        say = describe or chunk_failure
        super().__init__(" ".join(say(chunk, error) for chunk, error in failures))


# Called with (chunk index, position in chunk) after each bill, inside the chunk's
# transaction: tests raise from it to simulate a crash at a chosen point.
FaultHook = Callable[[int, int], None]
ProgressHook = Callable[[ChunkDone], None]
ChunkWork = Callable[[Chunk], Any]


def account_chunks(
    account_ids: Sequence[int], size: int = DEFAULT_CHUNK_SIZE, *, workers: int = 1
) -> list[Chunk]:
    """Consecutive chunks of at most ``size`` accounts, by ascending id.

    For ``workers`` > 1 processes the chunks are as many as ``size`` needs rounded up to a
    multiple of ``workers``, and even (sizes differ by one at most): each process then gets
    the same share of a cycle. Cut at ``size`` (5,000, 5,000, 5,000, 5,000, 2,186), one
    process took three chunks and the other two, and the second sat idle at the end of
    every cycle.
    """
    ordered = sorted(account_ids)
    if workers <= 1 or not ordered:
        bounds = [*range(0, len(ordered), size), len(ordered)]
    else:
        count = -(-len(ordered) // size)  # ceil
        count = min(-(-count // workers) * workers, len(ordered))
        bounds = [len(ordered) * n // count for n in range(count + 1)]
    return [
        Chunk(n, ordered[bounds[n]], ordered[bounds[n + 1] - 1], bounds[n + 1] - bounds[n])
        for n in range(len(bounds) - 1)
    ]


def chunk_failure(chunk: Chunk, error: object) -> str:
    return _(CHUNK_FAILED).format(
        index=chunk.index, first=chunk.first_account_id, last=chunk.last_account_id, error=error
    )


def fault_in_process_only(fault: FaultHook | None, workers: int) -> None:
    """A fault hook raises inside this process's chunk; a child could not report it."""
    if fault is not None and workers > 1:
        raise ValueError("the fault hook needs workers=1")


def run_chunks(
    chunks: list[Chunk],
    work: ChunkWork,
    *,
    on_chunk: ProgressHook | None = None,
    workers: int = 1,
) -> None:
    """Run every chunk (in order here, or on ``workers`` child processes), reporting each."""
    total = sum(c.size for c in chunks)
    done = 0
    for chunk, _result in chunk_results(chunks, work, workers=workers):
        done += chunk.size
        if on_chunk is not None:
            on_chunk(ChunkDone(chunk, len(chunks), done, total))


def chunk_results(
    chunks: Sequence[Work],
    work: Callable[[Work], Any],
    *,
    workers: int = 1,
    describe: Callable[[Any, object], str] | None = None,
) -> Iterator[tuple[Work, Any]]:
    """(chunk, what ``work`` returned) for each chunk as it finishes.

    With one worker (or one chunk, or a database a child cannot reach) the chunks run here
    in order and an error propagates as raised. With more they run on child processes and
    arrive in the order they finish; failures are collected and raised as ``ChunksFailed``
    once the chunks in flight have finished, each said by ``describe`` (default: a chunk
    of accounts, ``chunk_failure``). A chunk is anything with an ``index`` that pickles.
    """
    if workers <= 1 or len(chunks) <= 1 or not can_fork():
        for chunk in chunks:
            yield chunk, work(chunk)
        return
    yield from _forked(chunks, work, min(workers, len(chunks)), describe)


def can_fork() -> bool:
    """Whether children can open their own connections to this run's databases.

    Not inside a transaction (children would not see its writes, and closing would break
    it) nor on an in-memory SQLite database (it exists only in this process).
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    return not any(
        conn.in_atomic_block or (conn.vendor == "sqlite" and conn.is_in_memory_db())
        for conn in connections.all(initialized_only=True)
    )


_work: Callable[[Any], Any] | None = None  # the work being forked, inherited by children
_in_child = False


def in_child() -> bool:
    """True in a chunk child process (for naming where a chunk ran)."""
    return _in_child


def _forked(
    chunks: Sequence[Work],
    work: Callable[[Work], Any],
    workers: int,
    describe: Callable[[Any, object], str] | None,
) -> Iterator[tuple[Work, Any]]:
    global _work
    connections.close_all()
    _work = work
    by_index = {c.index: c for c in chunks}
    failures: list[tuple[Work, str]] = []
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_child_start)
    gc.freeze()  # before the first submit forks (module docstring); undone in `finally`
    try:
        pending: set[Future[Any]] = {pool.submit(_child_run, c) for c in chunks}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                if future.cancelled():
                    continue
                index, ok, value = _outcome(future)
                if ok:
                    yield by_index[index], value
                    continue
                failures.append((by_index[index], value))
                for other in pending:
                    other.cancel()  # not yet started: left for the next run
    finally:
        # However this ends (a failure, the caller stopping, Ctrl-C): chunks not started
        # are dropped, chunks in flight finish (each commits or rolls back whole).
        pool.shutdown(wait=True, cancel_futures=True)
        _work = None
        gc.unfreeze()
    if failures:
        raise ChunksFailed(sorted(failures, key=lambda f: f[0].index), describe)


def _outcome(future: Future[Any]) -> tuple[int, bool, Any]:
    """The child's (index, ok, result or message); a child that died stops the run."""
    try:
        outcome: tuple[int, bool, Any] = future.result()
    except Exception as error:  # the process died (killed, out of memory): BrokenProcessPool
        raise ServiceError(_(CHILD_DIED).format(error=error)) from error
    return outcome


def _child_start() -> None:
    """In each child: its own connections (opened on first use, closed at exit)."""
    global _in_child
    _in_child = True
    collect_as_chunk_process()
    for conn in connections.all():
        conn.connection = None  # the parent closed them; never reuse its handles
        if conn.vendor == "sqlite":
            options = conn.settings_dict.setdefault("OPTIONS", {})
            options["transaction_mode"] = "IMMEDIATE"
            options["timeout"] = max(options.get("timeout", 5), SQLITE_CHILD_TIMEOUT)
            # Checkpoints run after each writer's turn (writer_turn), not in its commit.
            init = options.get("init_command", "").rstrip().rstrip(";")
            options["init_command"] = f"{init}; PRAGMA wal_autocheckpoint=0".lstrip("; ")
    Finalize(None, connections.close_all, exitpriority=10)


def _child_run(chunk: Indexed) -> tuple[int, bool, Any]:
    assert _work is not None, "chunk child started without the run's work"
    try:
        return chunk.index, True, _work(chunk)
    except Exception as error:
        detail = f"{type(error).__name__}: {error}"
        traceback.print_exc()  # the full trace on the command's stderr
        return chunk.index, False, detail


@contextmanager
def chunk_transaction() -> Iterator[None]:
    """A chunk's write transaction (entered inside ``writer_turn``). On PostgreSQL, when it
    is the outermost transaction, its commit does not wait for the log flush (see the
    module docstring): at two processes posting 100,000 bills the commits' waits cost 0.7
    to 1.4 s of a 7-9 s post. Inside a caller's transaction (a test) it is a savepoint and
    changes nothing."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


@contextmanager
def writer_turn() -> Iterator[None]:
    """Wrap a chunk's write transaction: in a child process on a SQLite file, wait for an
    exclusive ``flock`` beside the database first (woken as soon as the holder releases it),
    and checkpoint the log once the turn is over (see the module docstring). Elsewhere
    (PostgreSQL, this process, Celery) a no-op."""
    if not (_in_child and connection.vendor == "sqlite" and not connection.is_in_memory_db()):
        yield
        return
    path = f"{connection.settings_dict['NAME']}.cistern-writer.lock"
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
