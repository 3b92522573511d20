"""The rating engine: account attributes + usage + period + rate versions -> bill lines.

Pure: no Django, no clock, no I/O. `Rater` compiles a list of versions once
(versions sorted by date, components filtered per customer class, tier tables
cached per meter size) and then rates any number of bills. For each bill:

1. the period is split at version changes (`proration.split_period`);
2. each part gets its proration factor and its share of usage by days;
3. each component that applies to the account (class, district, zone) rates the
   part, seasonal components over the part's days in their months;
4. the lines are summed into a `Bill`.

By default a `Rater` caches whole bills by their inputs, and each component's
lines by exactly the inputs that component reads (`compiled.py`), so accounts
that share a period, a usage and, say, a meter size share the service-charge
line instead of recomputing it. Both caches are exact (a property test checks
them against `cache=False`) and bounded. Bills, lines and schedules are
immutable, so sharing them is safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import count

from cistern.rates.domain import charges
from cistern.rates.domain.bill import Bill, BillLine
from cistern.rates.domain.compiled import CACHE_LIMIT, CompiledVersion, Rated, Step
from cistern.rates.domain.inputs import BillingPeriod, RatingAttributes
from cistern.rates.domain.proration import Part, days_in_months, factor_ratio, split_period
from cistern.rates.domain.schedule import RateVersion, SeasonBasis
from cistern.rates.domain.units import VolumeUnit


class Rater:
    """Rates bills under a fixed set of rate versions (compiled once).

    With `cache` (the default) a bill is remembered by its inputs (equal
    attributes, usage, unit and period give the same `Bill`), and each
    component's lines by the inputs that component reads (see `compiled.py`);
    without it every line is computed. Both give identical bills.
    """

    def __init__(self, versions: Sequence[RateVersion], *, cache: bool = True) -> None:
        ordered = sorted(versions, key=lambda v: v.effective_from)
        self._versions = [CompiledVersion(v) for v in ordered]
        self._effective = [v.effective_from for v in ordered]
        self._cache = cache
        self._bills: dict[tuple[object, ...], Bill] = {}
        self._plans: dict[tuple[object, ...], tuple[tuple[Part, int], ...]] = {}
        self._next_id = count()

    def rate(
        self, attrs: RatingAttributes, usage: Decimal, unit: VolumeUnit, period: BillingPeriod
    ) -> Bill:
        """Rate one bill: `usage` in `unit` over `period` for an account with `attrs`."""
        if not self._cache:
            return self._rate(attrs, usage, unit, period)
        key = (attrs, usage, unit, period.start, period.end)
        found = self._bills.get(key)
        if found is None:
            found = self._rate(attrs, usage, unit, period)
            if len(self._bills) >= CACHE_LIMIT:
                self._bills.clear()
            self._bills[key] = found
        return found

    def _rate(
        self, attrs: RatingAttributes, usage: Decimal, unit: VolumeUnit, period: BillingPeriod
    ) -> Bill:
        lines: list[BillLine] = []
        total = 0
        context = _BillContext(attrs, usage, unit, period)  # builds slices only when needed
        for part, slice_id in self._plan(period, usage, unit):
            compiled = self._versions[part.version_index]
            context.start_part(compiled.version, part, len(lines))
            for step in compiled.steps_for(attrs.customer_class, attrs.district, attrs.zone):
                if not step.cacheable or slice_id < 0:
                    before = len(lines)
                    context.rate(step, lines)
                    total += sum(line.amount_cents for line in lines[before:])
                    continue
                getter = step.attribute_key
                key = slice_id if getter is None else (slice_id, getter(attrs))
                found = step.cache.get(key)
                if found is None:
                    found = context.rate_apart(step, lines)
                    step.remember(key, found)
                if found[0]:
                    lines.extend(found[0])
                    total += found[1]
        return Bill(tuple(lines), total)

    def _plan(
        self, period: BillingPeriod, usage: Decimal, unit: VolumeUnit
    ) -> tuple[tuple[Part, int], ...]:
        """The period's parts, each with its slice id (-1 without the cache).

        A slice id stands for (part, period, usage, unit) in cache keys; ids come
        from a counter and are never reused, so a key never becomes ambiguous.
        """
        key = (period.start, period.end, usage, unit)
        found = self._plans.get(key)
        if found is None:
            parts = split_period(period, self._effective)
            ids = [next(self._next_id) if self._cache else -1 for _ in parts]
            found = tuple(zip(parts, ids, strict=True))
            if len(self._plans) >= CACHE_LIMIT:
                self._plans.clear()
            self._plans[key] = found
        return found


class _BillContext:
    """One bill's inputs, and the slice of the current part (built when first needed)."""

    __slots__ = (
        "attrs",
        "bill_usage",
        "first_line",
        "part",
        "period",
        "unit",
        "usage",
        "version",
        "whole",
    )

    def __init__(
        self, attrs: RatingAttributes, usage: Decimal, unit: VolumeUnit, period: BillingPeriod
    ) -> None:
        self.attrs = attrs
        self.usage = usage
        self.unit = unit
        self.bill_usage: charges.BillUsage | None = None
        self.period = period

    def start_part(self, version: RateVersion, part: Part, first_line: int) -> None:
        self.version = version
        self.part = part
        self.first_line = first_line  # where this part's lines begin (a minimum reads them)
        self.whole: charges.Slice | None = None

    def slice_for(self, step: Step) -> charges.Slice | None:
        """The whole part, or its days in the step's season (None when it has none)."""
        if not step.months:
            if self.whole is None:
                self.whole = self._slice(self.part.days)
            return self.whole
        days = _season_days(self.version, step.months, self.part, self.period)
        return self._slice(days) if days else None

    def _slice(self, days: int) -> charges.Slice:
        version, part, period = self.version, self.part, self.period
        total_days = (period.end - period.start).days
        if self.bill_usage is None:
            self.bill_usage = charges.BillUsage(self.usage, self.unit)
        return charges.Slice(
            attrs=self.attrs,
            usage=self.bill_usage,
            version_id=version.version_id,
            rounding=version.rounding,
            span=(part.start, part.end, days),
            factor=factor_ratio(days, total_days, version.nominal_days, version.normal_days),
            share=(days, total_days),
            first_line=self.first_line,
        )

    def rate(self, step: Step, lines: list[BillLine]) -> None:
        """Append `step`'s lines for the current part to `lines`."""
        piece = self.slice_for(step)
        if piece is not None:
            step.rate(piece, lines)

    def rate_apart(self, step: Step, lines: list[BillLine]) -> Rated:
        """`step`'s lines for the current part and their cents, leaving `lines` as it was."""
        before = len(lines)
        self.rate(step, lines)
        made = tuple(lines[before:])
        del lines[before:]
        return made, sum(line.amount_cents for line in made)


def _season_days(
    version: RateVersion, months: frozenset[int], part: Part, period: BillingPeriod
) -> int:
    """Days of `part` a seasonal component covers under the version's season basis."""
    if version.season_basis is SeasonBasis.PERIOD_END:
        return part.days if period.last_day.month in months else 0
    return days_in_months(part.start, part.end, months)


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
