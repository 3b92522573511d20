"""Reading and writing the Open Water Rate Specification (OWRS), for a subset.

OWRS (California Data Collaborative) encodes a utility's rates as YAML: a
`metadata` block and a `rate_structure` keyed by customer class, each class a
mapping (or a list of one-key mappings) of charges, variables and formulas.
This module works on the already-loaded document (`yaml.safe_load`) and never
evaluates a formula. Supported, per class:

- `service_charge`: a number, or `depends_on: meter_size` with `values`;
- `tier_starts` / `tier_prices`: lists (starts may also depend on meter_size),
  with `commodity_charge: Tiered`; a uniform rate `commodity_charge: "2.1*usage_ccf"`;
- water budgets, `commodity_charge: Budget`: `gpcd`, `landscape_factor` (numbers),
  `indoor` / `outdoor` / `budget` written exactly as the specification's formulas,
  tier starts 0, `indoor`, percentages of the budget or CCF;
- `bill`: a sum of `service_charge` and `commodity_charge`.

Anything else is refused with `OwrsError` naming the class and key, so a file
Cistern cannot bill exactly is never billed approximately. Budgets use the
period's actual service days, so a constant `days_in_period` is refused too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from cistern.rates.domain.schedule import (
    Applicability,
    BudgetStartKind,
    BudgetTier,
    BudgetTieredCharge,
    Component,
    FixedCharge,
    RateVersion,
    Tier,
    TieredCharge,
)
from cistern.rates.domain.units import VolumeUnit

NOMINAL_DAYS = {"monthly": 30, "bimonthly": 60, "bi-monthly": 60, "quarterly": 90}
INDOOR_FORMULA = "gpcd*hhsize*days_in_period*(1/748)"
OUTDOOR_FORMULAS = {
    "landscape_factor*et_amount*irr_area*0.62*(1/748)",
    "landscape_factor*ET*irr_area*0.62*(1/748)",
}
_UNIFORM = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\*usage_ccf$")
_CLASS_KEYS = {
    "service_charge",
    "tier_starts",
    "tier_prices",
    "commodity_charge",
    "bill",
    "gpcd",
    "landscape_factor",
    "indoor",
    "outdoor",
    "budget",
}


class OwrsError(ValueError):
    """An OWRS document outside the supported subset; nothing was imported."""


def _refuse(where: str, message: str) -> OwrsError:
    return OwrsError(f"OWRS {where}: {message}")


def meter_size_from_owrs(name: str) -> str:
    """OWRS writes 1-1/2-inch meters as `1_1/2"` or `1 1/2"`; Cistern as `1-1/2"`."""
    return re.sub(r"[ _]+", "-", str(name).strip())


def meter_size_to_owrs(size: str) -> str:
    return size.replace("-", " ")


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _refuse(where, f"expected a number, found {value!r}")
    try:
        # str() of a YAML float is its shortest repr: 1.49 -> "1.49", never binary noise
        return Decimal(str(value))
    except InvalidOperation:
        raise _refuse(where, f"expected a number, found {value!r}") from None


def _class_entries(raw: Any, where: str) -> dict[str, Any]:
    """A class is a mapping, or a list of one-key mappings (both occur in the wild)."""
    if isinstance(raw, Mapping):
        return dict(raw)
    if isinstance(raw, list) and all(isinstance(item, Mapping) for item in raw):
        merged: dict[str, Any] = {}
        for item in raw:
            merged.update(item)
        return merged
    raise _refuse(where, "a customer class must be a mapping of charges")


def _by_meter(raw: Any, where: str) -> dict[str, Any] | None:
    """`values` of a `depends_on: meter_size` lookup, or None when not a lookup."""
    if not isinstance(raw, Mapping):
        return None
    if raw.get("depends_on") != "meter_size" or set(raw) != {"depends_on", "values"}:
        raise _refuse(
            where, f"depends_on {raw.get('depends_on')!r} is not supported (only meter_size)"
        )
    return {meter_size_from_owrs(size): value for size, value in raw["values"].items()}


def _service_charge(raw: Any, class_name: str, where: str) -> FixedCharge:
    applies = Applicability(classes=frozenset({class_name}))
    table = _by_meter(raw, where)
    if table is None:
        return FixedCharge(
            code="SERVICE", label="Service charge", flat=_decimal(raw, where), applies=applies
        )
    by_meter = {size: _decimal(value, f"{where} {size}") for size, value in table.items()}
    return FixedCharge(code="SERVICE", label="Service charge", by_meter=by_meter, applies=applies)


def _number_list(raw: Any, where: str) -> tuple[Decimal, ...]:
    if not isinstance(raw, list) or not raw:
        raise _refuse(where, "expected a list of numbers")
    return tuple(_decimal(value, where) for value in raw)


def _tiered(entries: dict[str, Any], class_name: str, where: str) -> TieredCharge:
    prices_raw = entries.get("tier_prices")
    if isinstance(prices_raw, Mapping):
        raise _refuse(
            f"{where}.tier_prices", f"depends_on {prices_raw.get('depends_on')!r} is not supported"
        )
    prices = _number_list(prices_raw, f"{where}.tier_prices")
    starts_raw = entries.get("tier_starts")
    by_meter = _by_meter(starts_raw, f"{where}.tier_starts")
    starts_by_meter = {}
    if by_meter is not None:
        starts_by_meter = {
            s: _number_list(v, f"{where}.tier_starts {s}") for s, v in by_meter.items()
        }
        starts = next(iter(starts_by_meter.values()))
    else:
        starts = _number_list(starts_raw, f"{where}.tier_starts")
    for candidate in [starts, *starts_by_meter.values()]:
        if len(candidate) != len(prices) or candidate[0] != 0:
            raise _refuse(where, "tier_starts must begin at 0 and match tier_prices in length")
    return TieredCharge(
        code="COMMODITY",
        label="Water usage",
        unit=VolumeUnit.CCF,
        tiers=tuple(Tier(start, price) for start, price in zip(starts, prices, strict=True)),
        starts_by_meter=starts_by_meter,
        applies=Applicability(classes=frozenset({class_name})),
    )


def _budget_start(raw: Any, where: str) -> tuple[BudgetStartKind, Decimal]:
    text = str(raw).strip()
    if text == "indoor":
        return BudgetStartKind.INDOOR, Decimal(0)
    if text.endswith("%"):
        return BudgetStartKind.BUDGET_FRACTION, _decimal(text[:-1], where) / 100
    value = _decimal(raw, where)
    return (BudgetStartKind.ZERO, value) if value == 0 else (BudgetStartKind.UNITS, value)


def _formula(entries: dict[str, Any], key: str) -> str | None:
    value = entries.get(key)
    return None if value is None else re.sub(r"\s+", "", str(value))


def _budget(entries: dict[str, Any], class_name: str, where: str) -> BudgetTieredCharge:
    budget = _formula(entries, "budget")
    if budget not in {"indoor+outdoor", "outdoor"}:
        raise _refuse(f"{where}.budget", "must be 'indoor+outdoor' or 'outdoor'")
    include_indoor = budget == "indoor+outdoor"
    if include_indoor and _formula(entries, "indoor") != INDOOR_FORMULA:
        raise _refuse(f"{where}.indoor", f"must be {INDOOR_FORMULA!r}")
    if _formula(entries, "outdoor") not in OUTDOOR_FORMULAS:
        raise _refuse(f"{where}.outdoor", f"must be one of {sorted(OUTDOOR_FORMULAS)}")
    for key in ("gpcd", "landscape_factor"):
        if isinstance(entries.get(key), Mapping):
            raise _refuse(f"{where}.{key}", "depends_on is not supported here")
    prices = _number_list(entries.get("tier_prices"), f"{where}.tier_prices")
    starts = entries.get("tier_starts")
    if not isinstance(starts, list) or len(starts) != len(prices):
        raise _refuse(f"{where}.tier_starts", "must be a list matching tier_prices")
    tiers = []
    for raw, price in zip(starts, prices, strict=True):
        kind, value = _budget_start(raw, f"{where}.tier_starts")
        tiers.append(BudgetTier(kind, price, value))
    return BudgetTieredCharge(
        code="COMMODITY",
        label="Water usage (budget)",
        tiers=tuple(tiers),
        gpcd=_decimal(entries.get("gpcd", 0), f"{where}.gpcd"),
        landscape_factor=_decimal(entries["landscape_factor"], f"{where}.landscape_factor"),
        include_indoor=include_indoor,
        applies=Applicability(classes=frozenset({class_name})),
    )


def _commodity(entries: dict[str, Any], class_name: str, where: str) -> Component:
    kind = re.sub(r"\s+", "", str(entries.get("commodity_charge")))
    if kind == "Tiered":
        return _tiered(entries, class_name, where)
    if kind == "Budget":
        return _budget(entries, class_name, where)
    uniform = _UNIFORM.match(kind)
    if uniform is None:
        raise _refuse(f"{where}.commodity_charge", f"{kind!r} is not Tiered, Budget or N*usage_ccf")
    price = Decimal(uniform.group(1))
    return TieredCharge(
        code="COMMODITY",
        label="Water usage",
        unit=VolumeUnit.CCF,
        tiers=(Tier(Decimal(0), price),),
        applies=Applicability(classes=frozenset({class_name})),
    )


def _class_components(class_name: str, raw: Any) -> list[Component]:
    where = f"rate_structure.{class_name}"
    entries = _class_entries(raw, where)
    if "days_in_period" in entries:
        message = "Cistern computes budgets from the actual service days; remove the constant"
        raise _refuse(f"{where}.days_in_period", message)
    for key in entries:
        if key not in _CLASS_KEYS:
            raise _refuse(f"{where}.{key}", "this key is not supported by Cistern's OWRS import")
    terms = re.sub(r"\s+", "", str(entries.get("bill", ""))).split("+")
    if not set(terms) <= {"service_charge", "commodity_charge"} or not terms[0]:
        raise _refuse(f"{where}.bill", "must be a sum of service_charge and commodity_charge")
    found: list[Component] = []
    if "service_charge" in terms:
        found.append(
            _service_charge(entries.get("service_charge"), class_name, f"{where}.service_charge")
        )
    if "commodity_charge" in terms:
        found.append(_commodity(entries, class_name, where))
    return found


def read_owrs(document: Mapping[str, Any], *, version_id: str) -> RateVersion:
    """Build a `RateVersion` from a loaded OWRS document, or raise `OwrsError`."""
    unknown = set(document) - {"metadata", "rate_structure"}
    if unknown:
        raise _refuse(sorted(unknown)[0], "this top-level key is not supported")
    metadata = document.get("metadata") or {}
    effective = metadata.get("effective_date")
    if isinstance(effective, str):
        effective = date.fromisoformat(effective)
    if not isinstance(effective, date):
        raise _refuse("metadata.effective_date", "a date (YYYY-MM-DD) is required")
    frequency = str(metadata.get("bill_frequency", "monthly")).lower()
    if frequency not in NOMINAL_DAYS:
        raise _refuse(
            "metadata.bill_frequency", f"{frequency!r} is not one of {sorted(NOMINAL_DAYS)}"
        )
    structure = document.get("rate_structure")
    if not isinstance(structure, Mapping) or not structure:
        raise _refuse("rate_structure", "at least one customer class is required")
    components: list[Component] = []
    for class_name, raw in structure.items():
        components.extend(_class_components(str(class_name), raw))
    return RateVersion(
        version_id=version_id,
        effective_from=effective,
        components=tuple(components),
        nominal_days=NOMINAL_DAYS[frequency],
    )
