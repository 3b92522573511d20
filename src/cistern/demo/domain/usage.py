"""The demo's meter reads: what each meter's register showed on each read day.

Use follows the premise class (a house 6-18 CCF a month, a multi-family building 4-6 CCF a
unit, an irrigation meter mostly in summer...) times a California season (peak in July and
August, low in winter) and a little noise, kept within what read validation accepts as
usual (no period above 2.5x or below a quarter of its baseline), so history reads are
accepted as they would be in a real district. Registers count whole units from a value
consistent with the meter's age, and never wrap during the history.

On top of the ordinary reads, a few things a reviewer meets in real life:
- now and then a read is missed: that period's bill is estimated and the next read trues
  it up;
- a few vacation homes show a period of zero use (held, then released with a reason);
- in the current period, a few reads of each kind wait for review: high, low, zero use on
  an active account, a read below the previous one, a register that rolled over, one sent
  out for a reread, and a few meters not read at all.

Pure: draws from ``Random(seed + SEED_OFFSET)`` so adding reads never changes the district.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import date

from cistern.demo.domain.draw import between
from cistern.demo.domain.periods import CyclePeriods
from cistern.demo.domain.plan import DistrictPlan, MeterPlan, PremisePlan

SEED_OFFSET = 104_729
MISSED_READ_SHARE = 0.004  # history reads not taken (the bill is estimated)
VACATION_SHARE = 0.004  # premises with one period of zero use in the history
CURRENT_KINDS = ("high", "low", "zero", "negative", "rollover", "reread", "missed")
UNIT_PER_CCF = {"ccf": 1.0, "cf": 100.0, "gal": 748.0, "kgal": 0.748}
SPECIAL_CLASSES = frozenset({"sfr", "mobilehome", "commercial", "mfr"})

# premise class -> (low, high) CCF per 30 days (per dwelling unit for multi-family)
BASE_CCF: dict[str, tuple[int, int]] = {
    "sfr": (6, 18),
    "mfr": (4, 6),
    "mobilehome": (4, 8),
    "commercial": (12, 90),
    "industrial": (120, 900),
    "institutional": (50, 350),
    "irrigation": (15, 150),
}
# Month (of the read closing the period) -> factor; index 0 is January.
SEASON = {
    "residential": (0.80, 0.78, 0.82, 0.92, 1.05, 1.20, 1.32, 1.35, 1.22, 1.05, 0.90, 0.82),
    "business": (0.92, 0.90, 0.93, 0.97, 1.02, 1.08, 1.12, 1.12, 1.08, 1.02, 0.96, 0.93),
    "irrigation": (0.35, 0.35, 0.50, 0.75, 1.05, 1.40, 1.70, 1.70, 1.40, 1.00, 0.60, 0.40),
}
SEASON_OF = {"sfr": "residential", "mfr": "residential", "mobilehome": "residential",
             "irrigation": "irrigation"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlannedRead:
    read_on: date
    raw_value: int  # the register as read, before the multiplier
    read_type: str  # "actual" (walked) or "ami"
    kind: str = "usual"  # or "install" (set read), "zero_use", or a CURRENT_KINDS value


@dataclass(frozen=True, slots=True)
class MeterReads:
    premise: int  # index into plan.premises
    reads: tuple[PlannedRead, ...]  # oldest first
    replaced: bool = False  # the reads of a meter changed out during the history


def planned_reads(plan: DistrictPlan, periods: list[CyclePeriods]) -> list[MeterReads]:
    """Every premise's reads over its cycle's read days (``periods`` by cycle index)."""
    rng = random.Random(plan.seed + SEED_OFFSET)
    special = _current_specials(plan, rng)
    changed = {c.premise: c for c in plan.change_outs}
    result = []
    for index, premise in enumerate(plan.premises):
        cycle = periods[plan.routes[premise.route].cycle]
        change = changed.get(index)
        if change is not None:
            old = _meter_reads(rng, premise, change.old, cycle, "usual", until=change.day)
            result.append(MeterReads(index, tuple(old), replaced=True))
        reads = _meter_reads(rng, premise, premise.meter, cycle, special.get(index, "usual"))
        if reads:
            result.append(MeterReads(index, tuple(reads)))
    return result


def _current_specials(plan: DistrictPlan, rng: random.Random) -> dict[int, str]:
    """A few active premises per kind whose current read waits for review."""
    active = sorted(
        {a.premise for a in plan.accounts if a.status == "active"}
        & {
            i
            for i, p in enumerate(plan.premises)
            if p.premise_class in SPECIAL_CLASSES and p.meter.installed_on < _long_ago(plan)
        }
    )
    per_kind = max(1, min(6, len(plan.accounts) // 1000))
    chosen = rng.sample(active, min(len(active), per_kind * len(CURRENT_KINDS)))
    return {premise: CURRENT_KINDS[n % len(CURRENT_KINDS)] for n, premise in enumerate(chosen)}


def _long_ago(plan: DistrictPlan) -> date:
    return plan.today.replace(year=plan.today.year - 3)


def _meter_reads(
    rng: random.Random,
    premise: PremisePlan,
    meter: MeterPlan,
    cycle: CyclePeriods,
    special: str,
    until: date | None = None,
) -> list[PlannedRead]:
    """A meter's reads; ``until``: it was removed that day, after a last read. A meter
    installed during the history starts with its set read on the day it was installed."""
    installed_inside = meter.installed_on > cycle.opening_read
    days = [d for d in cycle.read_days if d > meter.installed_on or not installed_inside]
    if installed_inside:
        days.insert(0, meter.installed_on)
    if until is not None:
        days = [d for d in days if d < until] + [until]
    per_unit = UNIT_PER_CCF[meter.unit] / meter.multiplier
    level = rng.random()  # where in its class's range this premise's use sits
    units = [0] + [
        _period_units(rng, premise, level, later, (later - earlier).days, per_unit)
        for earlier, later in itertools.pairwise(days)
    ]
    vacation = len(units) > 3 and rng.random() < VACATION_SHARE
    if vacation:
        units[between(rng, 1, len(units) - 2)] = 0
    capacity = 10**meter.dials
    current = _current_units(units[-1], special)
    total = sum(units[:-1]) + max(current, 0)
    if installed_inside:
        register = meter.install_read
    else:
        register = _register_start(rng, meter, capacity, total, special, units)
    read_type = "ami" if meter.ami_endpoint_id else "actual"
    reads = []
    last = len(days) - 1
    for n, (day, used) in enumerate(zip(days, units, strict=True)):
        if n == 0 and installed_inside:
            reads.append(PlannedRead(day, register, "manual", "install"))
            continue
        kind = "zero_use" if vacation and used == 0 and 0 < n < last else "usual"
        if n == last:
            used, kind = current, special
        register = (register + used) % capacity if used >= 0 else max(0, register + used)
        if kind == "missed" or (0 < n < last and rng.random() < MISSED_READ_SHARE):
            continue  # nobody read it: the bill is estimated (register still turned)
        reads.append(PlannedRead(day, register, read_type, kind))
    return reads


def _period_units(
    rng: random.Random,
    premise: PremisePlan,
    level: float,
    read_on: date,
    days: int,
    per_unit: float,
) -> int:
    cls = premise.premise_class
    if cls == "fire":
        return max(1, round(days / 30))  # a detector check registers almost nothing
    low, high = BASE_CCF.get(cls, (10, 30))
    base = (low + (high - low) * level) * (premise.dwelling_units if cls == "mfr" else 1)
    season = SEASON[SEASON_OF.get(cls, "business")][read_on.month - 1]
    ccf = base * season * (0.9 + 0.2 * rng.random()) * days / 30
    return max(1, round(ccf * per_unit))


def _current_units(usual: int, special: str) -> int:
    """The current period's register movement for a special read (negative: a misread)."""
    if special in ("high", "reread"):
        return usual * 4 + 2
    if special == "low":
        return max(1, usual // 10) if usual >= 5 else 0
    if special == "zero":
        return 0
    if special == "negative":
        return -(usual + 37)
    return usual


def _register_start(
    rng: random.Random,
    meter: MeterPlan,
    capacity: int,
    total: int,
    special: str,
    units: list[int],
) -> int:
    """The first read: the meter's age in use, kept low enough never to wrap in the history."""
    if special == "rollover":
        return capacity - sum(units[:-1]) - max(1, units[-1] // 2)
    room = capacity - 1 - total
    start = meter.install_read + between(rng, 0, max(0, room))
    return min(start, room) if room > 0 else 0
