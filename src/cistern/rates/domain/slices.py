"""A billing period cut into slices, once per period, and each slice's share of usage.

A `Slice` is a stretch of service days under one rate version (or the days of
it in a component's season) with everything a line repeats: the version, the
dates, the days, the proration factor as an integer ratio and the share of the
period's usage. None of it depends on the account or the usage, so a `Rater`
plans each period once (`plan_period`) and every bill of that period reuses the
slices. `Metered` adds one bill's usage to a slice; its share in each unit is
computed once (see proration.py for the rules).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from cistern.rates.domain.inputs import BillingPeriod
from cistern.rates.domain.proration import Part, days_in_months, factor_ratio, split_period
from cistern.rates.domain.rounding import decimal_mode
from cistern.rates.domain.schedule import RateVersion, SeasonBasis
from cistern.rates.domain.units import VolumeUnit, convert

_ONE = Decimal(1)


class Slice:
    """Days [start, end) of one version; `days` may be fewer (a season's days)."""

    __slots__ = (
        "days",
        "den",
        "end",
        "id",
        "mode",
        "num",
        "proration",
        "rounding",
        "share_den",
        "share_num",
        "start",
        "version_id",
    )

    def __init__(
        self, slice_id: int, version: RateVersion, part: Part, days: int, period_days: int
    ) -> None:
        self.id = slice_id  # stands for this slice in cache keys; never reused
        self.version_id = version.version_id
        self.rounding = version.rounding
        self.mode = decimal_mode(version.rounding)
        self.start, self.end, self.days = part.start, part.end, days
        self.num, self.den = factor_ratio(
            days, period_days, version.nominal_days, version.normal_days
        )
        self.proration = _ONE if self.num == self.den else Decimal(self.num) / self.den
        self.share_num, self.share_den = days, period_days

    def prorate(self, amount: Decimal) -> Decimal:
        return amount if self.num == self.den else amount * self.num / self.den


class PartPlan:
    """One part of a planned period: its version's index, whole slice and seasonal slices."""

    __slots__ = ("index", "seasons", "whole")

    def __init__(self, index: int, whole: Slice, seasons: dict[frozenset[int], Slice | None]):
        self.index = index
        self.whole = whole
        self.seasons = seasons  # months -> the part's days in them (None: no such day)


def plan_period(
    period: BillingPeriod,
    versions: Sequence[RateVersion],
    effective: Sequence[date],
    seasons: Sequence[frozenset[frozenset[int]]],
    next_id: Callable[[], int],
) -> tuple[PartPlan, ...]:
    """Split `period` at version changes; slice each part whole and per season.

    `seasons[i]` holds the month sets used by the components of version i.
    """
    period_days = (period.end - period.start).days
    plans = []
    for part in split_period(period, effective):
        version = versions[part.version_index]
        whole = Slice(next_id(), version, part, part.days, period_days)
        by_months: dict[frozenset[int], Slice | None] = {}
        for months in seasons[part.version_index]:
            days = _season_days(version, months, part, period)
            by_months[months] = Slice(next_id(), version, part, days, period_days) if days else None
        plans.append(PartPlan(part.version_index, whole, by_months))
    return tuple(plans)


def _season_days(
    version: RateVersion, months: frozenset[int], part: Part, period: BillingPeriod
) -> int:
    """Days of `part` a seasonal component covers under the version's season basis."""
    if version.season_basis is SeasonBasis.PERIOD_END:
        return part.days if period.last_day.month in months else 0
    return days_in_months(part.start, part.end, months)


class BillUsage:
    """The whole period's usage, converted to each unit once (and floored when asked)."""

    __slots__ = ("_cache", "quantity", "unit")

    def __init__(self, quantity: Decimal, unit: VolumeUnit) -> None:
        self.quantity = quantity
        self.unit = unit
        self._cache: dict[tuple[VolumeUnit, bool], Decimal] = {}

    def in_unit(self, unit: VolumeUnit, whole: bool) -> Decimal:
        key = (unit, whole)
        found = self._cache.get(key)
        if found is None:
            found = convert(self.quantity, self.unit, unit)
            if whole:
                found = found.to_integral_value(rounding=ROUND_FLOOR)
            self._cache[key] = found
        return found


class Metered:
    """A slice with one bill's usage: the slice's share (by days) of it, in any unit."""

    __slots__ = ("_plain", "_shares", "id", "slice", "usage", "zero", "zero_key")

    def __init__(self, metered_id: int, piece: Slice, usage: BillUsage) -> None:
        self.id = metered_id  # stands for (slice, usage, unit) in cache keys; never reused
        self.slice = piece
        self.usage = usage
        self.zero = usage.quantity == 0
        self.zero_key = (piece.id, self.zero)  # for lines that read only whether usage is zero
        self._plain: Decimal | None = None  # the share in the bill's own unit
        self._shares: dict[tuple[VolumeUnit, bool], Decimal] | None = None

    def usage_in(self, unit: VolumeUnit, whole: bool = False) -> Decimal:
        """This slice's share of the period's usage in `unit` (floored first when `whole`)."""
        if unit is self.usage.unit and not whole:  # the common case, kept apart
            found = self._plain
            if found is None:  # (the usage in its own unit is the quantity itself)
                found = self._plain = self._share(self.usage.quantity)
            return found
        if self._shares is None:
            self._shares = {}
        key = (unit, whole)
        found = self._shares.get(key)
        if found is None:
            found = self._shares[key] = self._share(self.usage.in_unit(unit, whole))
        return found

    def _share(self, total: Decimal) -> Decimal:
        piece = self.slice
        if piece.share_num == piece.share_den:
            return total
        return total * piece.share_num / piece.share_den


class MeteredPart:
    """A planned part with one bill's usage on its whole slice and its seasonal slices."""

    __slots__ = ("index", "seasons", "whole")

    def __init__(self, plan: PartPlan, usage: BillUsage, next_id: Callable[[], int]) -> None:
        self.index = plan.index
        self.whole = Metered(next_id(), plan.whole, usage)
        self.seasons = {
            months: None if piece is None else Metered(next_id(), piece, usage)
            for months, piece in plan.seasons.items()
        }
