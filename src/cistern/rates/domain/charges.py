"""Rating one component of a schedule over one slice of a billing period.

A `Slice` is a stretch of service days under one rate version (or the days of
it that fall in a component's season), with its proration factor as an integer
ratio and its share of the period's usage. Each `rate_*` function appends the
component's explained lines for that slice; amounts are rounded once per line.
Zero-quantity volumetric lines are left out; a fixed charge is always shown.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_FLOOR, Decimal

from cistern.rates.domain.bill import BillLine
from cistern.rates.domain.budget import budget_starts, indoor_budget_ccf, outdoor_budget_ccf
from cistern.rates.domain.inputs import (
    NO_METER_PRICE,
    NO_STRENGTH_PRICE,
    RatingAttributes,
    RatingError,
)
from cistern.rates.domain.rounding import RoundingRule, round_to_cents
from cistern.rates.domain.schedule import (
    BudgetTieredCharge,
    FixedCharge,
    MinimumCharge,
    SewerCap,
    SewerVolumetric,
    TieredCharge,
    VolumetricSurcharge,
)
from cistern.rates.domain.tiers import TierTable, fill_blocks, monotone, prorate_starts, table_for
from cistern.rates.domain.units import VolumeUnit, convert

_ZERO = Decimal(0)
_ONE = Decimal(1)
_CCF = VolumeUnit.CCF


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


class Slice:
    """Service days [start, end) of one version; `days` may be fewer (a season's days)."""

    __slots__ = (
        "attrs",
        "days",
        "den",
        "end",
        "first_line",
        "num",
        "proration",
        "rounding",
        "share_den",
        "share_num",
        "start",
        "usage",
        "usage_zero",
        "version_id",
    )

    def __init__(
        self,
        *,
        attrs: RatingAttributes,
        usage: BillUsage,
        version_id: str,
        rounding: RoundingRule,
        span: tuple[date, date, int],
        factor: tuple[int, int],
        share: tuple[int, int],
        first_line: int,
    ) -> None:
        self.attrs = attrs
        self.usage = usage
        self.usage_zero = usage.quantity == 0
        self.version_id = version_id
        self.rounding = rounding
        self.start, self.end, self.days = span
        self.num, self.den = factor
        self.proration = _ONE if factor[0] == factor[1] else Decimal(factor[0]) / factor[1]
        self.share_num, self.share_den = share
        self.first_line = first_line

    def usage_in(self, unit: VolumeUnit, whole: bool = False) -> Decimal:
        """This slice's share (by days) of the period's usage, in `unit`."""
        total = self.usage.in_unit(unit, whole)
        if self.share_num == self.share_den:
            return total
        return total * self.share_num / self.share_den

    def prorate(self, amount: Decimal) -> Decimal:
        return amount if self.num == self.den else amount * self.num / self.den


def _volumetric(
    s: Slice,
    code: str,
    label: str,
    unit: str,
    tier: int,
    bounds: tuple[Decimal | None, Decimal | None],
    qty: Decimal,
    price: Decimal,
) -> BillLine:
    cents = round_to_cents(qty * price, s.rounding)
    return BillLine(
        code,
        label,
        s.version_id,
        s.start,
        s.end,
        s.days,
        s.proration,
        tier,
        bounds[0],
        bounds[1],
        unit,
        qty,
        price,
        cents,
    )


def _fixed(
    s: Slice, code: str, label: str, unit: str, qty: int, amount: Decimal, installments: int
) -> BillLine:
    unit_price = amount if installments == 1 else amount / installments
    exact = amount * qty * s.num / (s.den * installments)
    cents = round_to_cents(exact, s.rounding)
    return BillLine(
        code,
        label,
        s.version_id,
        s.start,
        s.end,
        s.days,
        s.proration,
        0,
        None,
        None,
        unit,
        Decimal(qty),
        unit_price,
        cents,
    )


def rate_fixed(charge: FixedCharge, s: Slice, out: list[BillLine]) -> None:
    size = getattr(s.attrs, charge.meter_attribute)
    if size is None:
        return  # no such meter (e.g. no fire service): not charged
    amount = charge.flat
    if charge.by_meter:
        if s.usage_zero and charge.dormant_meter_size is not None:
            size = charge.dormant_meter_size
        price = charge.by_meter.get(size)
        if price is None:
            raise RatingError(NO_METER_PRICE.format(code=charge.code, size=size))
        amount += price
    if amount or not charge.per_dwelling_unit:
        out.append(_fixed(s, charge.code, charge.label, "period", 1, amount, charge.installments))
    if charge.per_dwelling_unit:
        out.append(
            _fixed(
                s,
                charge.code,
                charge.label,
                "dwelling unit",
                s.attrs.dwelling_units,
                charge.per_dwelling_unit,
                charge.installments,
            )
        )


class CompiledTiered:
    """A `TieredCharge` with its per-account tables cached."""

    __slots__ = ("charge", "tables", "unit_name")

    def __init__(self, charge: TieredCharge) -> None:
        self.charge = charge
        self.tables: dict[tuple[str, int, str], TierTable] = {}
        self.unit_name = str(charge.unit)

    def table(self, attrs: RatingAttributes) -> TierTable:
        key = (attrs.meter_size, attrs.dwelling_units, attrs.district)
        found = self.tables.get(key)
        if found is None:
            found = table_for(self.charge, attrs.meter_size, attrs.dwelling_units, attrs.district)
            self.tables[key] = found
        return found


def rate_tiered(compiled: CompiledTiered, s: Slice, out: list[BillLine]) -> None:
    charge = compiled.charge
    usage = s.usage_in(charge.unit, charge.whole_units)
    if usage <= 0:
        return
    table = compiled.table(s.attrs)
    starts = prorate_starts(table.starts, s.num, s.den)
    labels = charge.tiers
    for block in fill_blocks(usage, starts, table.prices, table.numbers):
        label = labels[block.number - 1].label or charge.label
        out.append(
            _volumetric(
                s,
                charge.code,
                label,
                compiled.unit_name,
                block.number,
                (block.lower, block.upper),
                block.quantity,
                block.price,
            )
        )


def rate_budget(charge: BudgetTieredCharge, s: Slice, out: list[BillLine]) -> None:
    usage = s.usage_in(_CCF)
    if usage <= 0:
        return
    attrs = s.attrs
    indoor = _ZERO
    if charge.include_indoor:
        indoor = indoor_budget_ccf(charge.gpcd, attrs.household_size, s.days)
    budget = indoor + s.prorate(attrs.variance_ccf)
    if charge.include_outdoor:
        factor = attrs.landscape_factor
        landscape = charge.landscape_factor if factor is None else factor
        outdoor = outdoor_budget_ccf(landscape, attrs.et_inches, attrs.irrigated_area_sqft)
        budget += outdoor * s.share_num / s.share_den
    starts = monotone(budget_starts(charge, indoor, budget, s.num, s.den))
    prices = tuple(tier.price for tier in charge.tiers)
    numbers = tuple(range(1, len(prices) + 1))
    for block in fill_blocks(usage, starts, prices, numbers):
        out.append(
            _volumetric(
                s,
                charge.code,
                charge.label,
                "ccf",
                block.number,
                (block.lower, block.upper),
                block.quantity,
                block.price,
            )
        )


def rate_surcharge(charge: VolumetricSurcharge, s: Slice, out: list[BillLine]) -> None:
    threshold = s.prorate(charge.threshold) if charge.threshold else _ZERO
    quantity = s.usage_in(charge.unit) - threshold
    if quantity > 0:
        bounds = (threshold, None)
        out.append(
            _volumetric(
                s, charge.code, charge.label, str(charge.unit), 0, bounds, quantity, charge.price
            )
        )


def _sewer_cap(charge: SewerVolumetric, s: Slice) -> Decimal | None:
    if charge.cap_kind is SewerCap.NONE:
        return None
    cap = charge.cap
    if charge.cap_kind is SewerCap.WINTER_AVERAGE and s.attrs.sewer_cap_ccf is not None:
        cap = convert(s.attrs.sewer_cap_ccf, _CCF, charge.unit)
    return None if cap is None else s.prorate(cap)


def rate_sewer(charge: SewerVolumetric, s: Slice, out: list[BillLine]) -> None:
    price = charge.price
    if charge.prices_by_strength:
        found = charge.prices_by_strength.get(s.attrs.strength_class)
        if found is None:
            raise RatingError(
                NO_STRENGTH_PRICE.format(code=charge.code, strength=s.attrs.strength_class)
            )
        price = found
    quantity = s.usage_in(charge.unit) * charge.return_factor
    cap = _sewer_cap(charge, s)
    if cap is not None and quantity > cap:
        quantity = cap
    if quantity > 0:
        out.append(
            _volumetric(
                s, charge.code, charge.label, str(charge.unit), 0, (_ZERO, cap), quantity, price
            )
        )


def rate_minimum(charge: MinimumCharge, s: Slice, out: list[BillLine]) -> None:
    codes = charge.codes
    billed = sum(
        line.amount_cents for line in out[s.first_line :] if not codes or line.code in codes
    )
    minimum = round_to_cents(s.prorate(charge.amount), s.rounding)
    if billed < minimum:
        top_up = Decimal(minimum - billed) / 100
        out.append(
            BillLine(
                charge.code,
                charge.label,
                s.version_id,
                s.start,
                s.end,
                s.days,
                s.proration,
                0,
                None,
                None,
                "minimum",
                _ONE,
                top_up,
                minimum - billed,
            )
        )
