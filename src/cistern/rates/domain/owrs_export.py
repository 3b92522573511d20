"""Writing a Cistern rate version as an OWRS document (the subset `owrs` reads).

Each component must belong to exactly one customer class and be expressible in
OWRS: a service charge by meter size (or flat), a tiered or uniform CCF
commodity charge, or a water-budget charge. Anything else raises `OwrsError`
naming the component, so an export never silently drops a charge.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cistern.rates.domain.owrs import (
    INDOOR_FORMULA,
    NOMINAL_DAYS,
    OwrsError,
    meter_size_to_owrs,
)
from cistern.rates.domain.schedule import (
    ALWAYS,
    BudgetStartKind,
    BudgetTieredCharge,
    Component,
    FixedCharge,
    RateVersion,
    TieredCharge,
)
from cistern.rates.domain.units import VolumeUnit

OUTDOOR_FORMULA = "landscape_factor*et_amount*irr_area*0.62*(1/748)"
_FREQUENCY = {days: name for name, days in reversed(NOMINAL_DAYS.items())}


def _number(value: Decimal) -> int | float:
    """A YAML number that reads back as exactly `value` (floats print their shortest repr)."""
    if value == value.to_integral_value():
        return int(value)
    if Decimal(repr(float(value))) != value:
        raise OwrsError(f"OWRS export: {value} has more digits than a YAML number keeps")
    return float(value)


def _only_class(component: Component) -> str:
    applies = component.applies
    if len(applies.classes) != 1 or applies != type(applies)(classes=applies.classes):
        raise OwrsError(f"OWRS export: {component.code} must apply to exactly one class only")
    return next(iter(applies.classes))


def _service(charge: FixedCharge) -> Any:
    plain = FixedCharge(
        code=charge.code,
        label=charge.label,
        flat=charge.flat,
        by_meter=charge.by_meter,
        applies=charge.applies,
    )
    if plain != charge or (charge.flat and charge.by_meter):
        raise OwrsError(f"OWRS export: {charge.code} is not a plain service charge")
    if not charge.by_meter:
        return _number(charge.flat)
    values = {meter_size_to_owrs(size): _number(v) for size, v in charge.by_meter.items()}
    return {"depends_on": "meter_size", "values": values}


def _tiered(charge: TieredCharge) -> dict[str, Any]:
    plain = TieredCharge(
        code=charge.code,
        label=charge.label,
        unit=VolumeUnit.CCF,
        tiers=charge.tiers,
        starts_by_meter=charge.starts_by_meter,
        applies=charge.applies,
    )
    if plain != charge:
        raise OwrsError(f"OWRS export: {charge.code} uses features OWRS cannot express")
    prices = [_number(tier.price) for tier in charge.tiers]
    if len(prices) == 1 and not charge.starts_by_meter:
        return {"commodity_charge": f"{charge.tiers[0].price}*usage_ccf"}
    starts: Any = [_number(tier.start) for tier in charge.tiers]
    if charge.starts_by_meter:
        values = {
            meter_size_to_owrs(size): [_number(s) for s in table]
            for size, table in charge.starts_by_meter.items()
        }
        starts = {"depends_on": "meter_size", "values": values}
    return {"tier_starts": starts, "tier_prices": prices, "commodity_charge": "Tiered"}


def _budget_start(kind: BudgetStartKind, value: Decimal) -> int | float | str:
    if kind is BudgetStartKind.ZERO:
        return 0
    if kind is BudgetStartKind.INDOOR:
        return "indoor"
    if kind is BudgetStartKind.BUDGET_FRACTION:
        return f"{_number(value * 100)}%"
    return _number(value)


def _budget(charge: BudgetTieredCharge) -> dict[str, Any]:
    if not charge.include_outdoor:
        raise OwrsError(f"OWRS export: {charge.code} without an outdoor budget")
    entries: dict[str, Any] = {"landscape_factor": _number(charge.landscape_factor)}
    if charge.include_indoor:
        entries |= {"gpcd": _number(charge.gpcd), "indoor": INDOOR_FORMULA}
    entries["outdoor"] = OUTDOOR_FORMULA
    entries["budget"] = "indoor+outdoor" if charge.include_indoor else "outdoor"
    entries["tier_starts"] = [_budget_start(t.start_kind, t.value) for t in charge.tiers]
    entries["tier_prices"] = [_number(t.price) for t in charge.tiers]
    entries["commodity_charge"] = "Budget"
    return entries


def _add(classes: dict[str, dict[str, Any]], component: Component) -> None:
    entries = classes.setdefault(_only_class(component), {})
    if isinstance(component, FixedCharge):
        key, value = "service_charge", {"service_charge": _service(component)}
    elif isinstance(component, TieredCharge):
        key, value = "commodity_charge", _tiered(component)
    elif isinstance(component, BudgetTieredCharge):
        key, value = "commodity_charge", _budget(component)
    else:
        raise OwrsError(f"OWRS export: {component.code} ({component.kind}) has no OWRS form")
    if key in entries:
        raise OwrsError(f"OWRS export: a class may have one {key}; {component.code} is another")
    entries |= value


def write_owrs(version: RateVersion, *, utility_name: str = "") -> dict[str, Any]:
    """An OWRS document (ready for `yaml.safe_dump`) for `version`, or `OwrsError`."""
    if version.nominal_days not in _FREQUENCY or version.normal_days is not None:
        raise OwrsError("OWRS export: only plain monthly, bimonthly or quarterly periods")
    if version.components and any(c.applies == ALWAYS for c in version.components):
        raise OwrsError("OWRS export: every component must name its customer class")
    classes: dict[str, dict[str, Any]] = {}
    for component in version.components:
        _add(classes, component)
    for entries in classes.values():
        charges = [k for k in ("service_charge", "commodity_charge") if k in entries]
        entries["bill"] = "+".join(reversed(charges))
    metadata = {
        "effective_date": version.effective_from,
        "utility_name": utility_name,
        "bill_frequency": _FREQUENCY[version.nominal_days],
    }
    return {"metadata": metadata, "rate_structure": classes}
