"""Fast, deterministic draws from a seeded ``random.Random``.

``random.randint`` and ``random.choices`` are slow enough to matter over a million draws;
these use one ``rng.random()`` each. Same seed, same sequence, same district.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


def between(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high], both ends included."""
    return low + int(rng.random() * (high - low + 1))


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


class Weighted(Generic[T]):
    """Items drawn in proportion to their weights."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.items = [item for item, _ in pairs]
        self._cumulative = list(accumulate(weight for _, weight in pairs))
        self._total = self._cumulative[-1]

    def draw(self, rng: random.Random) -> T:
        return self.items[bisect(self._cumulative, rng.random() * self._total)]
