"""The demo's billing periods: when each cycle's meters were read, and what each bill covers.

A cycle reads its meters on its read day each month (bi-monthly cycles every other month,
in even months). The *current* period is the one closed by the latest read day on or
before ``today``: its reads are in, its bill is not (a person runs that bill run). Before
it come the history's periods, each billed; before the oldest, one opening read starts it.
A period runs from the day after one read to the day of the next, both inclusive.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Period:
    first_day: date
    last_day: date  # the read day that closes the period

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


@dataclass(frozen=True, slots=True)
class CyclePeriods:
    """A cycle's read days, oldest first; ``history`` periods are billed, ``current`` not."""

    opening_read: date
    history: tuple[Period, ...]
    current: Period

    @property
    def read_days(self) -> tuple[date, ...]:
        return (self.opening_read, *(p.last_day for p in self.history), self.current.last_day)

    @property
    def periods(self) -> tuple[Period, ...]:
        return (*self.history, self.current)


def months_back(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier (the read day is at most 28)."""
    index = day.year * 12 + day.month - 1 - months
    return day.replace(year=index // 12, month=index % 12 + 1)


def cycle_periods(
    *, read_day: int, frequency: str, today: date, history_months: int
) -> CyclePeriods:
    """The periods of one cycle: ``history_months`` of billed history and the current one."""
    step = 2 if frequency == "bimonthly" else 1
    latest = today.replace(day=read_day)
    if latest > today:
        latest = months_back(latest, 1)
    if step == 2 and latest.month % 2:
        latest = months_back(latest, 1)
    count = history_months // step
    reads = [months_back(latest, step * n) for n in range(count + 1, -1, -1)]
    periods = [
        Period(earlier + timedelta(days=1), later) for earlier, later in itertools.pairwise(reads)
    ]
    return CyclePeriods(reads[0], tuple(periods[:-1]), periods[-1])
