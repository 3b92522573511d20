"""Inclining-block (tiered) volumetric pricing.

A tier table is a list of continuous lower bounds ("starts") with a price each;
the last block has no upper bound. Usage u fills the blocks in order: block k
bills min(u, start[k+1]) - start[k] units when u exceeds start[k]. Because every
block's price is non-negative the charge never decreases as usage grows.

`table_for` resolves a `TieredCharge` for one account: the starts for its meter
size, scaled by its dwelling units, cut to the class's first tier, with in- or
out-of-district prices. Results are cached per (meter, units, district).
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from cistern.rates.domain.inputs import NO_METER_PRICE, NO_TIER_PRICES, RatingError
from cistern.rates.domain.schedule import District, TieredCharge

_ZERO = Decimal(0)


class TierTable(NamedTuple):
    """A resolved tier table: starts (ascending, first is 0), prices, 1-based tier numbers."""

    starts: tuple[Decimal, ...]
    prices: tuple[Decimal, ...]
    numbers: tuple[int, ...]


class Band(NamedTuple):
    """One block of a table prorated for a slice: where it starts and ends, its price."""

    number: int
    lower: Decimal
    upper: Decimal | None
    price: Decimal
    label: str


class Block(NamedTuple):
    """The part of usage that fell in one block."""

    number: int
    lower: Decimal
    upper: Decimal | None
    quantity: Decimal
    price: Decimal


def table_for(
    charge: TieredCharge, meter_size: str, dwelling_units: int, district: District
) -> TierTable:
    """Resolve `charge`'s tiers for an account (see module docstring)."""
    starts = tuple(tier.start for tier in charge.tiers)
    if charge.starts_by_meter:
        if meter_size not in charge.starts_by_meter:
            raise RatingError(NO_METER_PRICE.format(code=charge.code, size=meter_size))
        starts = charge.starts_by_meter[meter_size]
    if charge.scale_by_dwelling_units:
        starts = tuple(start * dwelling_units for start in starts)
    prices = tuple(tier.price for tier in charge.tiers)
    if district is District.OUT:
        if charge.out_of_district_prices is None:
            raise RatingError(NO_TIER_PRICES.format(code=charge.code))
        prices = charge.out_of_district_prices
    skip = charge.first_tier - 1
    offset = starts[skip]
    numbers = tuple(range(charge.first_tier, len(starts) + 1))
    return TierTable(tuple(s - offset for s in starts[skip:]), prices[skip:], numbers)


def prorate_starts(starts: tuple[Decimal, ...], numerator: int, denominator: int) -> list[Decimal]:
    """Each start x numerator / denominator (unchanged for a full period)."""
    if numerator == denominator:
        return list(starts)
    return [start * numerator / denominator for start in starts]


def prorate_bands(
    table: TierTable, numerator: int, denominator: int, labels: tuple[str, ...]
) -> tuple[Band, ...]:
    """The table's blocks with prorated bounds (`labels[i]` names block i of the table)."""
    starts = prorate_starts(table.starts, numerator, denominator)
    last = len(starts) - 1
    numbers, prices = table.numbers, table.prices
    return tuple(
        Band(numbers[i], lower, starts[i + 1] if i < last else None, prices[i], labels[i])
        for i, lower in enumerate(starts)
    )


def fill_blocks(
    usage: Decimal, starts: list[Decimal], prices: tuple[Decimal, ...], numbers: tuple[int, ...]
) -> list[Block]:
    """Split `usage` over the blocks; blocks it does not reach are left out."""
    blocks: list[Block] = []
    last = len(starts) - 1
    for i, lower in enumerate(starts):
        if usage <= lower:
            break
        upper = starts[i + 1] if i < last else None
        top = usage if upper is None or usage < upper else upper
        if top > lower:
            blocks.append(Block(numbers[i], lower, upper, top - lower, prices[i]))
    return blocks


def monotone(starts: list[Decimal]) -> list[Decimal]:
    """Starts forced non-decreasing (a bound below its predecessor makes an empty block)."""
    result: list[Decimal] = []
    floor = _ZERO
    for start in starts:
        floor = start if start > floor else floor
        result.append(floor)
    return result
