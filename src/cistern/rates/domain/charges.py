"""Rating one component of a schedule over one slice of a billing period.

Each component kind is compiled into a small object with two methods: `key`,
exactly the inputs its lines depend on (for the line cache), and `lines`, its
explained lines for a `Metered` slice (a slice with the bill's usage) and the
account's attributes. Amounts are rounded once per line (`rounding.py`).
Zero-quantity volumetric lines are left out; a fixed charge is always shown.
A minimum charge reads the lines before it and is rated by `top_up`.

Everything schedule-only (tier bounds prorated for a slice, fixed amounts by
meter size) is worked out once and kept; the arithmetic of each amount is the
same as written in the rules. `lines.py` builds the lines.
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
    NO_STRENGTH_PRICE,
    RatingAttributes,
    RatingError,
)
from cistern.rates.domain.lines import fixed_line, minimum_line, volumetric_line
from cistern.rates.domain.rounding import cents_in_mode
from cistern.rates.domain.schedule import (
    BudgetTieredCharge,
    District,
    FixedCharge,
    MinimumCharge,
    SewerCap,
    SewerVolumetric,
    TieredCharge,
    VolumetricSurcharge,
)
from cistern.rates.domain.slices import Metered, Slice
from cistern.rates.domain.tiers import Band, TierTable, monotone, prorate_bands, table_for
from cistern.rates.domain.units import VolumeUnit, convert

_ZERO = Decimal(0)
_ONE = Decimal(1)
_CCF = VolumeUnit.CCF
_OUT = District.OUT
Rated = tuple[BillLine, ...]  # a component's lines
NOTHING: Rated = ()


class Kernel(Protocol):
    """A compiled component (all but the minimum charge).

    `reads` names every account attribute `lines` reads besides the customer
    class, district and zone (which choose the components): the engine keys
    whole bills on them, so a kernel must list each attribute it reads.
    """

    reads: tuple[str, ...]

    def key(self, m: Metered, attrs: RatingAttributes) -> Hashable:
        """Everything `lines` reads, for the line cache."""

    def lines(self, m: Metered, attrs: RatingAttributes) -> Rated:
        """The component's lines for this slice and account."""


class FixedKernel:
    """flat + by_meter[size] + per_dwelling_unit x units, / installments, prorated."""

    __slots__ = ("amounts", "charge", "meter", "read", "reads")

    def __init__(self, charge: FixedCharge) -> None:
        self.charge = charge
        self.meter = charge.meter_attribute
        self.amounts = {size: charge.flat + price for size, price in charge.by_meter.items()}
        self.reads: tuple[str, ...] = (self.meter, "dwelling_units")
        self.read = attrgetter(*self.reads)

    def key(self, m: Metered, attrs: RatingAttributes) -> Hashable:
        return (m.zero_key, self.read(attrs))  # the usage matters only when it is zero

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
        return tuple(out)


class TieredKernel:
    """Inclining blocks: a table per (meter, units, district), its bounds per proration."""

    __slots__ = ("bands", "charge", "labels", "tables", "unit_name")
    reads: tuple[str, ...] = ("meter_size", "dwelling_units")  # and the district

    def __init__(self, charge: TieredCharge) -> None:
        self.charge = charge
        self.unit_name = str(charge.unit)
        self.tables: dict[tuple[str, int, str], TierTable] = {}
        self.bands: dict[tuple[str, int, str, int, int], tuple[Band, ...]] = {}
        tiers = charge.tiers
        self.labels = tuple(t.label or charge.label for t in tiers[charge.first_tier - 1 :])

    def key(self, m: Metered, attrs: RatingAttributes) -> Hashable:
        # `is _OUT`: a bool, not the enum member, keeps the key untracked by the collector
        return (m.id, attrs.meter_size, attrs.dwelling_units, attrs.district is _OUT)

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

    def lines(self, m: Metered, attrs: RatingAttributes) -> Rated:
        charge = self.charge
        usage = m.usage_in(charge.unit, charge.whole_units)
        if usage <= 0:
            return NOTHING
        s, code, unit_name = m.slice, charge.code, self.unit_name
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
        return tuple(out)


class BudgetKernel:
    """Water-budget tiers: starts from the account's indoor and outdoor budgets."""

    __slots__ = ("charge", "numbers", "prices", "starts")
    reads: tuple[str, ...] = (
        "household_size",
        "irrigated_area_sqft",
        "landscape_factor",
        "et_inches",
        "variance_ccf",
    )

    def __init__(self, charge: BudgetTieredCharge, *, remember: bool) -> None:
        self.charge = charge
        self.prices = tuple(tier.price for tier in charge.tiers)
        self.numbers = tuple(range(1, len(self.prices) + 1))
        # starts by (slice, budget inputs); only when caching (they depend on the account)
        self.starts: dict[Hashable, tuple[Decimal, ...]] | None = {} if remember else None

    def key(self, m: Metered, attrs: RatingAttributes) -> Hashable:
        return (m.id, _budget_inputs(attrs))

    def _starts(self, s: Slice, attrs: RatingAttributes) -> tuple[Decimal, ...]:
        if self.starts is None:
            return self._compute_starts(s, attrs)
        key = (s.id, _budget_inputs(attrs))
        found = self.starts.get(key)
        if found is None:
            found = self.starts[key] = self._compute_starts(s, attrs)
            if len(self.starts) >= 50_000:
                self.starts.clear()
        return found

    def _compute_starts(self, s: Slice, attrs: RatingAttributes) -> tuple[Decimal, ...]:
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
        starts, prices, numbers = self._starts(s, attrs), self.prices, self.numbers
        code, label = charge.code, charge.label
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
        return tuple(out)


_budget_inputs = attrgetter(*BudgetKernel.reads)


class SurchargeKernel:
    """A price per unit above a (prorated) threshold."""

    __slots__ = ("charge", "unit_name")
    reads: tuple[str, ...] = ()

    def __init__(self, charge: VolumetricSurcharge) -> None:
        self.charge = charge
        self.unit_name = str(charge.unit)

    def key(self, m: Metered, attrs: RatingAttributes) -> Hashable:
        return m.id

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
            return (line,)
        return NOTHING


class SewerKernel:
    """Sewer on water use x return factor, limited by a fixed or winter-average cap."""

    __slots__ = ("charge", "unit_name")
    reads: tuple[str, ...] = ("strength_class", "sewer_cap_ccf")

    def __init__(self, charge: SewerVolumetric) -> None:
        self.charge = charge
        self.unit_name = str(charge.unit)

    def key(self, m: Metered, attrs: RatingAttributes) -> Hashable:
        return (m.id, _sewer_inputs(attrs))

    def _cap(self, s: Slice, attrs: RatingAttributes) -> Decimal | None:
        charge = self.charge
        if charge.cap_kind is SewerCap.NONE:
            return None
        cap = charge.cap
        if charge.cap_kind is SewerCap.WINTER_AVERAGE and attrs.sewer_cap_ccf is not None:
            cap = convert(attrs.sewer_cap_ccf, _CCF, charge.unit)
        return None if cap is None else s.prorate(cap)

    def lines(self, m: Metered, attrs: RatingAttributes) -> Rated:
        charge, s = self.charge, m.slice
        price = charge.price
        if charge.prices_by_strength:
            found = charge.prices_by_strength.get(attrs.strength_class)
            if found is None:
                raise RatingError(
                    NO_STRENGTH_PRICE.format(code=charge.code, strength=attrs.strength_class)
                )
            price = found
        quantity = m.usage_in(charge.unit) * charge.return_factor
        cap = self._cap(s, attrs)
        if cap is not None and quantity > cap:
            quantity = cap
        if quantity > 0:
            line = volumetric_line(
                s, charge.code, charge.label, self.unit_name, 0, _ZERO, cap, quantity, price
            )
            return (line,)
        return NOTHING


_sewer_inputs = attrgetter(*SewerKernel.reads)


def top_up(charge: MinimumCharge, s: Slice, before: list[BillLine]) -> Rated:
    """The line that tops `before` (this part's lines so far) up to the prorated minimum."""
    codes = charge.codes
    billed = sum(line.amount_cents for line in before if not codes or line.code in codes)
    minimum = cents_in_mode(s.prorate(charge.amount), s.mode)
    if billed >= minimum:
        return NOTHING
    top = Decimal(minimum - billed) / 100
    made = minimum_line(charge.code, charge.label, s, top, minimum - billed)
    return (made,)


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
        return TieredKernel(component)
    if isinstance(component, FixedCharge):
        return FixedKernel(component)
    if isinstance(component, BudgetTieredCharge):
        return BudgetKernel(component, remember=remember)
    if isinstance(component, VolumetricSurcharge):
        return SurchargeKernel(component)
    return SewerKernel(component)
