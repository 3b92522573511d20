"""Rating one component of a schedule over one slice of a billing period.

Each component kind is compiled into a small object that names exactly the
inputs its lines depend on (`metered_key`, `key_reads`: the line cache's key)
and has a `lines` method, its explained lines for a `Metered` slice (a slice
with the bill's usage) and the account's attributes. Amounts are rounded once
per line (`rounding.py`). Zero-quantity volumetric lines are left out; a fixed
charge is always shown. A minimum charge reads the lines before it and is rated
by `top_up`.

Everything schedule-only (tier bounds prorated for a slice, fixed amounts by
meter size) is worked out once and kept; the arithmetic of each amount is the
same as written in the rules. `lines.py` builds the lines. With the caches, a
line that does not depend on the usage is built once and shared by every bill
that has it: a tier block filled whole (`lines.Blocks`), the sewer line of usage
at or above the cap (`sewer.SewerKernel`, the sewer charge's own module). Sharing
also keeps the collector's work down: a `BillLine` (a tuple subclass) stays
tracked by the cyclic collector for as long as a cache holds it, and a full
collection walks every tracked object, so a line shared is one object fewer to
walk; for the same reason a component's single line is cached bare rather than
in a 1-tuple (`lines.Rated`).
"""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal
from operator import attrgetter
from typing import Protocol

from cistern.rates.domain.bill import BillLine
from cistern.rates.domain.budget import budget_starts, indoor_budget_ccf, outdoor_budget_ccf
from cistern.rates.domain.inputs import (
    NO_METER_PRICE,
    RatingAttributes,
    RatingError,
)
from cistern.rates.domain.lines import (
    CACHE_LIMIT,
    NOTHING,
    Blocks,
    Rated,
    fixed_line,
    minimum_line,
    rated,
    volumetric_line,
)
from cistern.rates.domain.rounding import cents_in_mode
from cistern.rates.domain.schedule import (
    BudgetTieredCharge,
    District,
    FixedCharge,
    MinimumCharge,
    SewerVolumetric,
    TieredCharge,
    VolumetricSurcharge,
)
from cistern.rates.domain.sewer import SewerKernel
from cistern.rates.domain.slices import Metered, Slice
from cistern.rates.domain.tiers import Band, TierTable, monotone, prorate_bands, table_for
from cistern.rates.domain.units import VolumeUnit

_ZERO = Decimal(0)
_CCF = VolumeUnit.CCF
_OUT = District.OUT


class Kernel(Protocol):
    """A compiled component (all but the minimum charge).

    `reads` names every account attribute `lines` reads besides the customer
    class, district and zone (which choose the components): the engine keys
    whole bills on them, so a kernel must list each attribute it reads.

    Its line cache keys on everything `lines` reads: `metered_key`, the attribute
    of the `Metered` slice that stands for what it reads of it ("id": the slice and
    the bill's usage; "zero_key": the slice and whether the usage is zero), and
    the account attributes named in `key_reads` (`reads`, and the district when
    the lines depend on it). The engine gets both with `operator.attrgetter`.
    """

    reads: tuple[str, ...]
    key_reads: tuple[str, ...]
    metered_key: str

    def lines(self, m: Metered, attrs: RatingAttributes) -> Rated:
        """The component's lines for this slice and account."""


class FixedKernel:
    """flat + by_meter[size] + per_dwelling_unit x units, / installments, prorated."""

    __slots__ = ("amounts", "charge", "key_reads", "meter", "reads")
    metered_key = "zero_key"  # the usage matters only when it is zero

    def __init__(self, charge: FixedCharge) -> None:
        self.charge = charge
        self.meter = charge.meter_attribute
        self.amounts = {size: charge.flat + price for size, price in charge.by_meter.items()}
        # the meter always (no meter: no charge); the units only when charged per unit
        units = ("dwelling_units",) if charge.per_dwelling_unit else ()
        self.reads: tuple[str, ...] = (self.meter, *units)
        self.key_reads: tuple[str, ...] = self.reads

    def lines(self, m: Metered, attrs: RatingAttributes) -> Rated:
        charge = self.charge
        size = getattr(attrs, self.meter)
        if size is None:
            return NOTHING  # no such meter (e.g. no fire service): not charged
        amount = charge.flat
        if charge.by_meter:
            if m.zero and charge.dormant_meter_size is not None:
                size = charge.dormant_meter_size
            found = self.amounts.get(size)
            if found is None:
                raise RatingError(NO_METER_PRICE.format(code=charge.code, size=size))
            amount = found
        s, out = m.slice, []
        if amount or not charge.per_dwelling_unit:
            out.append(
                fixed_line(s, charge.code, charge.label, "period", 1, amount, charge.installments)
            )
        if charge.per_dwelling_unit:
            units = attrs.dwelling_units
            each = charge.per_dwelling_unit
            out.append(
                fixed_line(
                    s, charge.code, charge.label, "dwelling unit", units, each, charge.installments
                )
            )
        return rated(out)


class TieredKernel:
    """Inclining blocks: a table per (meter, units, district), its bounds per proration."""

    __slots__ = (
        "bands",
        "blocks",
        "charge",
        "key_reads",
        "labels",
        "reads",
        "tables",
        "unit_name",
    )
    metered_key = "id"

    def __init__(self, charge: TieredCharge, *, remember: bool) -> None:
        self.charge = charge
        # the meter size and units only when they choose the starts (`tiers.table_for`)
        meter = ("meter_size",) if charge.starts_by_meter else ()
        units = ("dwelling_units",) if charge.scale_by_dwelling_units else ()
        self.reads: tuple[str, ...] = (*meter, *units)  # and the district, always
        # the district's plain value: a key holding no enum member is untracked by the collector
        self.key_reads: tuple[str, ...] = (*self.reads, "district._value_")
        self.unit_name = str(charge.unit)
        self.tables: dict[tuple[str, int, str], TierTable] = {}
        self.bands: dict[tuple[str, int, str, int, int], tuple[Band, ...]] = {}
        # the bands on a slice, by (slice, table); only when caching
        self.blocks: dict[Hashable, Blocks] | None = {} if remember else None
        tiers = charge.tiers
        self.labels = tuple(t.label or charge.label for t in tiers[charge.first_tier - 1 :])

    def _bands(self, attrs: RatingAttributes, s: Slice) -> tuple[Band, ...]:
        key = (attrs.meter_size, attrs.dwelling_units, attrs.district, s.num, s.den)
        found = self.bands.get(key)
        if found is None:
            table = self.tables.get(key[:3])
            if table is None:
                charge = self.charge
                table = table_for(charge, attrs.meter_size, attrs.dwelling_units, attrs.district)
                self.tables[key[:3]] = table
            found = prorate_bands(table, s.num, s.den, self.labels)
            self.bands[key] = found
        return found

    def _blocks(self, blocks: dict[Hashable, Blocks], attrs: RatingAttributes, s: Slice) -> Blocks:
        key = (s.id, attrs.meter_size, attrs.dwelling_units, attrs.district is _OUT)
        found = blocks.get(key)
        if found is None:
            # plain tuples, untracked by the collector, rather than `Band`s
            bands = tuple(
                (n, low, up, price, label) for n, low, up, price, label in self._bands(attrs, s)
            )
            found = Blocks(s, self.charge.code, self.unit_name, bands)
            if len(blocks) >= CACHE_LIMIT:
                blocks.clear()
            blocks[key] = found
        return found

    def lines(self, m: Metered, attrs: RatingAttributes) -> Rated:
        charge = self.charge
        usage = m.usage_in(charge.unit, charge.whole_units)
        if usage <= 0:
            return NOTHING
        s, code, unit_name = m.slice, charge.code, self.unit_name
        if self.blocks is not None:
            return self._blocks(self.blocks, attrs, s).lines(usage)
        out = []
        for number, lower, upper, price, label in self._bands(attrs, s):
            if usage <= lower:
                break
            top = usage if upper is None or usage < upper else upper
            if top > lower:
                out.append(
                    volumetric_line(
                        s, code, label, unit_name, number, lower, upper, top - lower, price
                    )
                )
        return rated(out)


class BudgetKernel:
    """Water-budget tiers: starts from the account's indoor and outdoor budgets."""

    __slots__ = ("blocks", "charge", "numbers", "prices")
    reads: tuple[str, ...] = (
        "household_size",
        "irrigated_area_sqft",
        "landscape_factor",
        "et_inches",
        "variance_ccf",
    )
    key_reads: tuple[str, ...] = reads
    metered_key = "id"

    def __init__(self, charge: BudgetTieredCharge, *, remember: bool) -> None:
        self.charge = charge
        self.prices = tuple(tier.price for tier in charge.tiers)
        self.numbers = tuple(range(1, len(self.prices) + 1))
        # the tiers on a slice, by (slice, budget inputs); only when caching (they
        # depend on the account)
        self.blocks: dict[Hashable, Blocks] | None = {} if remember else None

    def _blocks(self, blocks: dict[Hashable, Blocks], s: Slice, attrs: RatingAttributes) -> Blocks:
        key = (s.id, _budget_inputs(attrs))
        found = blocks.get(key)
        if found is None:
            starts, label = self._starts(s, attrs), self.charge.label
            uppers = (*starts[1:], None)
            labels = (label,) * len(starts)
            bands = tuple(zip(self.numbers, starts, uppers, self.prices, labels, strict=True))
            found = Blocks(s, self.charge.code, "ccf", bands)
            if len(blocks) >= CACHE_LIMIT:
                blocks.clear()
            blocks[key] = found
        return found

    def _starts(self, s: Slice, attrs: RatingAttributes) -> tuple[Decimal, ...]:
        charge = self.charge
        indoor = _ZERO
        if charge.include_indoor:
            indoor = indoor_budget_ccf(charge.gpcd, attrs.household_size, s.days)
        budget = indoor + s.prorate(attrs.variance_ccf)
        if charge.include_outdoor:
            factor = attrs.landscape_factor
            landscape = charge.landscape_factor if factor is None else factor
            outdoor = outdoor_budget_ccf(landscape, attrs.et_inches, attrs.irrigated_area_sqft)
            budget += outdoor * s.share_num / s.share_den
        return tuple(monotone(budget_starts(charge, indoor, budget, s.num, s.den)))

    def lines(self, m: Metered, attrs: RatingAttributes) -> Rated:
        usage = m.usage_in(_CCF)
        if usage <= 0:
            return NOTHING
        s, charge = m.slice, self.charge
        code, label = charge.code, charge.label
        if self.blocks is not None:
            return self._blocks(self.blocks, s, attrs).lines(usage)
        starts, prices, numbers = self._starts(s, attrs), self.prices, self.numbers
        last = len(starts) - 1
        out = []
        for i, lower in enumerate(starts):
            if usage <= lower:
                break
            upper = starts[i + 1] if i < last else None
            top = usage if upper is None or usage < upper else upper
            if top > lower:
                qty = top - lower
                out.append(
                    volumetric_line(s, code, label, "ccf", numbers[i], lower, upper, qty, prices[i])
                )
        return rated(out)


_budget_inputs = attrgetter(*BudgetKernel.reads)


class SurchargeKernel:
    """A price per unit above a (prorated) threshold."""

    __slots__ = ("charge", "unit_name")
    reads: tuple[str, ...] = ()
    key_reads: tuple[str, ...] = reads
    metered_key = "id"

    def __init__(self, charge: VolumetricSurcharge) -> None:
        self.charge = charge
        self.unit_name = str(charge.unit)

    def lines(self, m: Metered, attrs: RatingAttributes) -> Rated:
        charge, s = self.charge, m.slice
        threshold = s.prorate(charge.threshold) if charge.threshold else _ZERO
        quantity = m.usage_in(charge.unit) - threshold
        if quantity > 0:
            line = volumetric_line(
                s,
                charge.code,
                charge.label,
                self.unit_name,
                0,
                threshold,
                None,
                quantity,
                charge.price,
            )
            return line
        return NOTHING


def top_up(charge: MinimumCharge, s: Slice, before: list[BillLine]) -> Rated:
    """The line that tops `before` (this part's lines so far) up to the prorated minimum."""
    codes = charge.codes
    billed = sum(line.amount_cents for line in before if not codes or line.code in codes)
    minimum = cents_in_mode(s.prorate(charge.amount), s.mode)
    if billed >= minimum:
        return NOTHING
    top = Decimal(minimum - billed) / 100
    return minimum_line(charge.code, charge.label, s, top, minimum - billed)


def compile_kernel(
    component: FixedCharge
    | TieredCharge
    | BudgetTieredCharge
    | VolumetricSurcharge
    | SewerVolumetric,
    *,
    remember: bool,
) -> Kernel:
    """The kernel of a component (`remember`: keep per-account intermediate results)."""
    if isinstance(component, TieredCharge):
        return TieredKernel(component, remember=remember)
    if isinstance(component, FixedCharge):
        return FixedKernel(component)
    if isinstance(component, BudgetTieredCharge):
        return BudgetKernel(component, remember=remember)
    if isinstance(component, VolumetricSurcharge):
        return SurchargeKernel(component)
    return SewerKernel(component, remember=remember)
