"""The rating engine: account attributes + usage + period + rate versions -> bill lines.

Pure: no Django, no clock, no I/O. `Rater` compiles a list of versions once
(versions sorted by date, each component compiled into a kernel, `charges.py`)
and then rates any number of bills. For each bill:

1. the period is split at version changes and sliced, once per period
   (`slices.plan_period`: parts, days, proration factors, seasons);
2. each slice gets its share of the usage by days (`slices.Metered`);
3. each component that applies to the account's kind (class, district, zone)
   rates each slice, seasonal components the days of it in their months;
4. the lines are summed into a `Bill`.

By default a `Rater` caches whole bills by their inputs (the account's kind,
the attributes its components read, the usage, unit and period), and each
component's lines by exactly the inputs that component reads (`compiled.py`),
so accounts that share a period, a usage and, say, a meter size share the
service-charge line instead of recomputing it; lines that do not depend on the
usage at all (a tier block filled whole, sewer at the cap) are shared between
usages too (`charges.py`). Both caches are exact (property
tests check them against `cache=False`, in representation too) and bounded.
Bills, lines and slices are immutable once built, so sharing them is safe.
See docs/decisions/rating-engine.md, "Speed", for what each cache keys on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from itertools import count
from operator import attrgetter, itemgetter

from cistern.rates.domain import charges
from cistern.rates.domain.bill import Bill, BillLine
from cistern.rates.domain.compiled import CompiledVersion
from cistern.rates.domain.inputs import BillingPeriod, RatingAttributes
from cistern.rates.domain.lines import CACHE_LIMIT
from cistern.rates.domain.schedule import District, RateVersion
from cistern.rates.domain.slices import BillUsage, MeteredPart, PartPlan, plan_period
from cistern.rates.domain.units import VolumeUnit

_new = tuple.__new__
_CENTS = itemgetter(13)  # BillLine.amount_cents
AccountKind = tuple[str, District, str]  # customer class, district, zone
_UNIT_NAMES = {unit: unit.value for unit in VolumeUnit}


class _Kind:
    """Accounts of one class, district and zone: the steps that rate them and their bills.

    A bill is a function of the account's kind, the attributes its steps read
    (each kernel lists them in `reads`), the usage and the period; `read` gets
    those attributes as a tuple, built and hashed in C, to key `bills`.
    """

    __slots__ = ("bills", "read", "runs")

    def __init__(self, versions: Sequence[CompiledVersion], kind: AccountKind) -> None:
        steps = [tuple(s for s in v.steps if s.applies_to(*kind)) for v in versions]
        self.runs = tuple(tuple(step.run for step in chosen) for chosen in steps)
        names = sorted({name for chosen in steps for step in chosen for name in step.reads})
        self.read: Callable[[RatingAttributes], object] = (
            attrgetter(*names) if names else _reads_nothing
        )
        self.bills: dict[tuple[object, ...], Bill] = {}


def _reads_nothing(attrs: RatingAttributes) -> object:
    return ()


class Rater:
    """Rates bills under a fixed set of rate versions (compiled once).

    With `cache` (the default) a bill is remembered by its inputs (the
    account's class, district and zone, the attributes its components read,
    the usage, unit and period), and each component's lines by the inputs that
    component reads (see `compiled.py`); without it every line is computed.
    Both give identical bills. Either way each period is planned once (its
    parts, days and proration factors) and each tier table is prorated once per
    factor: those depend on the schedule and the period only.
    """

    def __init__(self, versions: Sequence[RateVersion], *, cache: bool = True) -> None:
        ordered = sorted(versions, key=lambda v: v.effective_from)
        self._versions = [CompiledVersion(v, remember=cache) for v in ordered]
        self._ordered = ordered
        self._effective = [v.effective_from for v in ordered]
        self._seasons = [compiled.seasons for compiled in self._versions]
        self._cache = cache
        self._kinds: dict[AccountKind, _Kind] = {}
        self._periods: dict[tuple[date, date], tuple[PartPlan, ...]] = {}
        self._metered: dict[tuple[object, ...], tuple[MeteredPart, ...]] = {}
        self._next_id = count().__next__  # ids in cache keys: never reused

    def rate(
        self, attrs: RatingAttributes, usage: Decimal, unit: VolumeUnit, period: BillingPeriod
    ) -> Bill:
        """Rate one bill: `usage` in `unit` over `period` for an account with `attrs`."""
        kind = self._kinds.get((attrs.customer_class, attrs.district, attrs.zone))
        if kind is None:
            kind = self._kind(attrs)
        if not self._cache:
            metered = BillUsage(usage, unit)
            parts = [MeteredPart(p, metered, self._next_id) for p in self._plan(period)]
            return _rate(kind, attrs, parts)
        # the unit's plain value: a key holding no enum member is untracked by the collector
        key = (kind.read(attrs), usage, _UNIT_NAMES[unit], period.start, period.end)
        bills = kind.bills
        found = bills.get(key)
        if found is None:
            found = _rate(kind, attrs, self._metered_parts(period, usage, unit))
            if len(bills) >= CACHE_LIMIT:
                bills.clear()
            bills[key] = found
        return found

    def _kind(self, attrs: RatingAttributes) -> _Kind:
        key = (attrs.customer_class, attrs.district, attrs.zone)
        found = self._kinds[key] = _Kind(self._versions, key)
        return found

    def _plan(self, period: BillingPeriod) -> tuple[PartPlan, ...]:
        """The period's parts and slices (schedule and dates only; kept per period)."""
        key = (period.start, period.end)
        found = self._periods.get(key)
        if found is None:
            found = plan_period(
                period, self._ordered, self._effective, self._seasons, self._next_id
            )
            if len(self._periods) >= CACHE_LIMIT:
                self._periods.clear()
            self._periods[key] = found
        return found

    def _metered_parts(
        self, period: BillingPeriod, usage: Decimal, unit: VolumeUnit
    ) -> tuple[MeteredPart, ...]:
        """The period's parts with this usage on each slice (kept by period and usage)."""
        key = (period.start, period.end, usage, _UNIT_NAMES[unit])  # untracked, as in `rate`
        found = self._metered.get(key)
        if found is None:
            metered = BillUsage(usage, unit)
            found = tuple(MeteredPart(p, metered, self._next_id) for p in self._plan(period))
            if len(self._metered) >= CACHE_LIMIT:
                self._metered.clear()
            self._metered[key] = found
        return found


def _rate(kind: _Kind, attrs: RatingAttributes, parts: Sequence[MeteredPart]) -> Bill:
    """Every step of every part, each step's lines found in its cache or computed."""
    lines: list[BillLine] = []
    for part in parts:
        first = len(lines)  # where this part's lines begin (a minimum reads them)
        for months, store, metered_key, account_key, lines_of, minimum in kind.runs[part.index]:
            metered = part.seasons[months] if months else part.whole
            if metered is None:
                continue  # no day of this part in the component's season
            if store is not None:
                key = (metered_key(metered), account_key(attrs))  # type: ignore[misc]
                found = store.get(key)
                if found is None:
                    found = lines_of(metered, attrs)  # type: ignore[misc]
                    if len(store) >= CACHE_LIMIT:
                        store.clear()
                    store[key] = found
            elif minimum is None:
                found = lines_of(metered, attrs)  # type: ignore[misc]
            else:
                found = charges.top_up(minimum, metered.slice, lines[first:])
            if isinstance(found, BillLine):  # one line, kept bare (see `lines.Rated`)
                lines.append(found)
            elif found:
                lines += found
    return _new(Bill, (tuple(lines), sum(map(_CENTS, lines))))


def rate_bill(
    *,
    attributes: RatingAttributes,
    usage: Decimal,
    unit: VolumeUnit,
    period: BillingPeriod,
    versions: Sequence[RateVersion],
) -> Bill:
    """Rate one bill under `versions` (compiles them; use `Rater` for many bills)."""
    return Rater(versions, cache=False).rate(attributes, usage, unit, period)
