"""Python's garbage collector in a bill run's chunk processes.

Kept free of Django so that the pure-rating benchmark (``benchmarks/bench_rating.py``) rates
under the very setting a chunk process rates under. Why the setting: ``chunks`` module
docstring, "Garbage collection".
"""

from __future__ import annotations

import gc

# A chunk process collects its youngest generation after this many allocations (Python's
# default is 700).
CHILD_GC_THRESHOLD = 50_000


def collect_as_chunk_process() -> None:
    """Set this process's collector as a chunk process sets its own."""
    gc.set_threshold(CHILD_GC_THRESHOLD, *gc.get_threshold()[1:])
