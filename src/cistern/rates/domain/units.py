"""Units of volume, and the one place where usage is converted between them.

Water is metered and priced in CCF (also written HCF: one hundred cubic feet),
cubic feet, gallons, 1,000 gallons (kgal) or 100 gallons. Conversions use the
industry's 748 gallons per CCF, the same constant as the water-budget formulas
(indoor = gpcd x people x days / 748), so that a budget in CCF and a meter in
gallons agree. An acre-foot is 43,560 cubic feet by definition (435.6 CCF).

All arithmetic is `Decimal`; a float never touches a quantity. A conversion that
multiplies is exact; one that divides (e.g. gallons to CCF, / 748) is exact to
the 28 significant digits of the default decimal context.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


class VolumeUnit(StrEnum):
    """A unit of volume a meter registers or a tariff prices in."""

    CCF = "ccf"  # 100 cubic feet, also called HCF
    CUBIC_FEET = "cf"
    GALLONS = "gal"
    KGAL = "kgal"  # 1,000 gallons
    HGAL = "hgal"  # 100 gallons
    ACRE_FEET = "af"


GALLONS_PER_CCF = Decimal(748)

# Size of each unit measured in "tariff gallons" (748 per CCF).
_GALLONS_PER_UNIT: dict[VolumeUnit, Decimal] = {
    VolumeUnit.CCF: GALLONS_PER_CCF,
    VolumeUnit.CUBIC_FEET: GALLONS_PER_CCF / 100,
    VolumeUnit.GALLONS: Decimal(1),
    VolumeUnit.KGAL: Decimal(1000),
    VolumeUnit.HGAL: Decimal(100),
    VolumeUnit.ACRE_FEET: GALLONS_PER_CCF * Decimal("435.6"),
}

_ALIASES = {"hcf": VolumeUnit.CCF, "cuft": VolumeUnit.CUBIC_FEET, "ft3": VolumeUnit.CUBIC_FEET}


def parse_unit(name: str) -> VolumeUnit:
    """Return the unit named `name` ("ccf", "HCF", "gal", "kgal", ...)."""
    key = name.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    return VolumeUnit(key)


def convert(quantity: Decimal, from_unit: VolumeUnit, to_unit: VolumeUnit) -> Decimal:
    """Return `quantity` of `from_unit` expressed in `to_unit`."""
    if from_unit is to_unit:
        return quantity
    return quantity * _GALLONS_PER_UNIT[from_unit] / _GALLONS_PER_UNIT[to_unit]
