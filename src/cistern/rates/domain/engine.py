"""The rating engine: account attributes + usage + period + rate versions -> bill lines.

Pure: no Django, no clock, no I/O. `Rater` compiles a list of versions once
(versions sorted by date, components filtered per customer class, tier tables
cached per meter size) and then rates any number of bills. For each bill:

1. the period is split at version changes (`proration.split_period`);
2. each part gets its proration factor and its share of usage by days;
3. each component that applies to the account (class, district, zone) rates the
   part, seasonal components over the part's days in their months;
4. the lines are summed into a `Bill`.

A `Rater` may memoise whole bills (`memo_size`): inputs and results are
immutable, so identical inputs within a bill run (same class, meter, usage and
period) return the very same `Bill` object. This is exact, not an approximation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial

from cistern.rates.domain import charges
from cistern.rates.domain.bill import Bill, BillLine
from cistern.rates.domain.inputs import BillingPeriod, RatingAttributes
from cistern.rates.domain.proration import Part, days_in_months, factor_ratio, split_period
from cistern.rates.domain.schedule import (
    BudgetTieredCharge,
    Component,
    FixedCharge,
    MinimumCharge,
    RateVersion,
    SeasonBasis,
    SewerVolumetric,
    TieredCharge,
    VolumetricSurcharge,
)
from cistern.rates.domain.units import VolumeUnit

RateFn = Callable[[charges.Slice, list[BillLine]], None]


class _Step:
    """One component, ready to rate: its function and its filters."""

    __slots__ = ("classes", "district", "months", "rate", "zones")

    def __init__(self, component: Component) -> None:
        applies = component.applies
        self.classes = applies.classes
        self.district = applies.district
        self.zones = applies.zones
        self.months = applies.months
        self.rate = _rate_function(component)

    def applies_to(self, attrs: RatingAttributes) -> bool:
        if self.district is not None and attrs.district is not self.district:
            return False
        return not self.zones or attrs.zone in self.zones


def _rate_function(component: Component) -> RateFn:
    if isinstance(component, TieredCharge):
        return partial(charges.rate_tiered, charges.CompiledTiered(component))
    if isinstance(component, FixedCharge):
        return partial(charges.rate_fixed, component)
    if isinstance(component, BudgetTieredCharge):
        return partial(charges.rate_budget, component)
    if isinstance(component, VolumetricSurcharge):
        return partial(charges.rate_surcharge, component)
    if isinstance(component, SewerVolumetric):
        return partial(charges.rate_sewer, component)
    if isinstance(component, MinimumCharge):
        return partial(charges.rate_minimum, component)
    raise TypeError(f"unknown component {component!r}")


class _CompiledVersion:
    __slots__ = ("by_class", "steps", "version")

    def __init__(self, version: RateVersion) -> None:
        self.version = version
        self.steps = tuple(_Step(component) for component in version.components)
        self.by_class: dict[str, tuple[_Step, ...]] = {}

    def steps_for(self, customer_class: str) -> tuple[_Step, ...]:
        found = self.by_class.get(customer_class)
        if found is None:
            found = tuple(s for s in self.steps if not s.classes or customer_class in s.classes)
            self.by_class[customer_class] = found
        return found


class Rater:
    """Rates bills under a fixed set of rate versions (compiled once)."""

    def __init__(self, versions: Sequence[RateVersion], *, memo_size: int = 0) -> None:
        ordered = sorted(versions, key=lambda v: v.effective_from)
        self._versions = [_CompiledVersion(v) for v in ordered]
        self._effective = [v.effective_from for v in ordered]
        self._memo: dict[tuple[object, ...], Bill] = {}
        self._memo_size = memo_size

    def rate(
        self,
        attrs: RatingAttributes,
        usage: Decimal,
        unit: VolumeUnit,
        period: BillingPeriod,
    ) -> Bill:
        """Rate one bill: `usage` in `unit` over `period` for an account with `attrs`."""
        if not self._memo_size:
            return self._rate(attrs, usage, unit, period)
        key = (attrs, usage, unit, period.start, period.end)
        found = self._memo.get(key)
        if found is None:
            found = self._rate(attrs, usage, unit, period)
            if len(self._memo) >= self._memo_size:
                self._memo.clear()
            self._memo[key] = found
        return found

    def _rate(
        self, attrs: RatingAttributes, usage: Decimal, unit: VolumeUnit, period: BillingPeriod
    ) -> Bill:
        bill_usage = charges.BillUsage(usage, unit)
        lines: list[BillLine] = []
        for part in split_period(period, self._effective):
            compiled = self._versions[part.version_index]
            whole = _slice(compiled.version, attrs, bill_usage, part, part.days, period, len(lines))
            for step in compiled.steps_for(attrs.customer_class):
                if not step.applies_to(attrs):
                    continue
                piece = whole
                if step.months:
                    days = _season_days(compiled.version, step.months, part, period)
                    if not days:
                        continue
                    if days != part.days:
                        piece = _slice(
                            compiled.version,
                            attrs,
                            bill_usage,
                            part,
                            days,
                            period,
                            whole.first_line,
                        )
                step.rate(piece, lines)
        return Bill(tuple(lines), sum(line.amount_cents for line in lines))


def _slice(
    version: RateVersion,
    attrs: RatingAttributes,
    usage: charges.BillUsage,
    part: Part,
    days: int,
    period: BillingPeriod,
    first_line: int,
) -> charges.Slice:
    """`days` service days of `part` (all of them, or those in a season)."""
    total_days = (period.end - period.start).days
    return charges.Slice(
        attrs=attrs,
        usage=usage,
        version_id=version.version_id,
        rounding=version.rounding,
        span=(part.start, part.end, days),
        factor=factor_ratio(days, total_days, version.nominal_days, version.normal_days),
        share=(days, total_days),
        first_line=first_line,
    )


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
    return Rater(versions).rate(attributes, usage, unit, period)
