"""Chunks run on child processes: every chunk once, failures named, a dead child reported.

No database: the work here is plain functions, so these test the runner itself; the bill
runs on two processes are in tests/integration/billing/test_parallel_workers.py.
"""

from __future__ import annotations

import gc
import os

import pytest

from cistern.billing.chunks import (
    CHILD_DIED,
    Chunk,
    ChunkDone,
    ChunksFailed,
    account_chunks,
    chunk_results,
    run_chunks,
)
from cistern.billing.collector import CHILD_GC_THRESHOLD
from cistern.core.errors import ServiceError

CHUNKS = account_chunks(list(range(1, 41)), 5)


def test_every_chunk_runs_once_on_the_child_processes() -> None:
    ran = chunk_results(CHUNKS, lambda chunk: (os.getpid(), chunk.size), workers=2)
    results = {chunk.index: result for chunk, result in ran}
    assert sorted(results) == list(range(8))
    assert {size for _pid, size in results.values()} == {5}
    assert os.getpid() not in {pid for pid, _size in results.values()}


def test_children_collect_less_often_and_skip_what_the_parent_froze() -> None:
    threshold = gc.get_threshold()
    ran = chunk_results(
        CHUNKS, lambda chunk: (gc.get_threshold()[0], gc.get_freeze_count()), workers=2
    )
    seen = {result for _chunk, result in ran}
    assert {child_threshold for child_threshold, _frozen in seen} == {CHILD_GC_THRESHOLD}
    assert all(frozen > 0 for _threshold, frozen in seen)  # the parent's objects
    assert gc.get_freeze_count() == 0  # the parent unfroze them once the pool was done
    assert gc.get_threshold() == threshold  # and its own collector is as it was


def test_progress_counts_up_to_every_account_as_chunks_finish() -> None:
    seen: list[ChunkDone] = []
    run_chunks(CHUNKS, lambda chunk: None, on_chunk=seen.append, workers=2)
    assert [d.accounts_done for d in seen] == list(range(5, 45, 5))
    assert {d.chunk.index for d in seen} == set(range(8))
    assert {(d.chunks_total, d.accounts_total) for d in seen} == {(8, 40)}


def _fails_at_three(chunk: Chunk) -> int:
    if chunk.index == 3:
        raise RuntimeError("meter table unreadable")
    return chunk.size


def test_a_chunk_failing_in_a_child_is_named_with_its_error() -> None:
    done: list[int] = []
    with pytest.raises(ChunksFailed) as failed:
        for chunk, _result in chunk_results(CHUNKS, _fails_at_three, workers=2):
            done.append(chunk.index)
    assert [c.index for c, _error in failed.value.failures] == [3]
    assert "Chunk 3 (accounts 16 to 20) failed: RuntimeError: meter table unreadable" in (
        failed.value.message
    )
    assert 3 not in done


def test_a_child_that_dies_stops_the_run_with_a_message() -> None:
    def die(chunk: Chunk) -> None:
        if chunk.index == 2:
            os._exit(9)

    with pytest.raises(ServiceError) as failed:
        list(chunk_results(CHUNKS, die, workers=2))
    assert failed.value.message.startswith(CHILD_DIED.split("(")[0])


def test_one_worker_runs_the_chunks_here_in_order_and_raises_as_is() -> None:
    ran = list(chunk_results(CHUNKS, lambda chunk: os.getpid()))
    assert [chunk.index for chunk, _pid in ran] == list(range(8))
    assert {pid for _chunk, pid in ran} == {os.getpid()}
    with pytest.raises(RuntimeError, match="unreadable"):
        list(chunk_results(CHUNKS, _fails_at_three, workers=1))
