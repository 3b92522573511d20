"""Splitting a run's accounts into chunks of account ids, and running them in-process.

A chunk is (run_id, first_account_id, last_account_id): plain values, so a task queue can
run chunks on several workers later; without a broker they run here one after another.
Each chunk commits on its own, so a crash loses at most the chunk in flight, and running
the same command again picks up where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

DEFAULT_CHUNK_SIZE = 500
# Calculating in this process: a chunk costs a transaction and a dozen queries whatever its
# size, and a 5,000-account chunk takes well under a second, so bigger chunks cost nothing
# in what a crash loses and save most of that overhead.
CALCULATE_CHUNK_SIZE = 5000


@dataclass(frozen=True)
class Chunk:
    index: int
    first_account_id: int
    last_account_id: int
    size: int


@dataclass(frozen=True)
class ChunkDone:
    """Reported after each chunk commits: for progress bars and the run screen."""

    chunk: Chunk
    chunks_total: int
    accounts_done: int
    accounts_total: int


# Called with (chunk index, position in chunk) after each bill, inside the chunk's
# transaction: tests raise from it to simulate a crash at a chosen point.
FaultHook = Callable[[int, int], None]
ProgressHook = Callable[[ChunkDone], None]


def account_chunks(account_ids: Sequence[int], size: int = DEFAULT_CHUNK_SIZE) -> list[Chunk]:
    """Consecutive chunks of at most ``size`` accounts, by ascending id."""
    ordered = sorted(account_ids)
    return [
        Chunk(n, ordered[i], ordered[min(i + size, len(ordered)) - 1], len(ordered[i : i + size]))
        for n, i in enumerate(range(0, len(ordered), size))
    ]


def run_chunks(
    chunks: list[Chunk],
    work: Callable[[Chunk], None],
    *,
    on_chunk: ProgressHook | None = None,
) -> None:
    """Run every chunk in order in this process, reporting progress after each."""
    total = sum(c.size for c in chunks)
    done = 0
    for chunk in chunks:
        work(chunk)
        done += chunk.size
        if on_chunk is not None:
            on_chunk(ChunkDone(chunk, len(chunks), done, total))
