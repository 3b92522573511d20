"""Percentiles of latency samples (milliseconds)."""

from __future__ import annotations

import math
import statistics


def percentile(samples: list[float], pct: float) -> float:
    """The nearest-rank percentile: the smallest sample with at least pct% at or below it."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[rank - 1]


def summary(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"n": 0}
    return {
        "n": len(samples),
        "p50": percentile(samples, 50),
        "p95": percentile(samples, 95),
        "p99": percentile(samples, 99),
        "mean": statistics.fmean(samples),
        "max": max(samples),
    }
