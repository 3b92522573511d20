"""Rate versions to and from JSON-safe dicts: how a schedule is stored and typed in.

Pure (no Django). The document is the domain `RateVersion` field by field: decimals as
strings (never floats, so "2.15" stays exactly 2.15), enums by value, sets and tuples as
lists, each component tagged by its `kind` ("fixed", "tiered", "budget", "surcharge",
"sewer", "minimum"). Fields left at their default are omitted on the way out and may be
omitted on the way in. Anything unknown or malformed is refused with `SerializationError`
naming the place (``components[2].tiers[1].price``), so a typo never becomes a silent
wrong bill.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from cistern.rates.domain import schedule
from cistern.rates.domain.schedule import Component, RateVersion

COMPONENT_KINDS: dict[str, type] = {
    "fixed": schedule.FixedCharge,
    "tiered": schedule.TieredCharge,
    "budget": schedule.BudgetTieredCharge,
    "surcharge": schedule.VolumetricSurcharge,
    "sewer": schedule.SewerVolumetric,
    "minimum": schedule.MinimumCharge,
}
_HINTS: dict[type, dict[str, Any]] = {}


class SerializationError(ValueError):
    """A rate document that does not describe a rate version; says where and why."""


def version_to_dict(version: RateVersion) -> dict[str, Any]:
    """The JSON-safe document of `version` (without its `version_id`, which is storage's)."""
    document = _encode_dataclass(version)
    document.pop("version_id", None)
    return document


def version_from_dict(document: Mapping[str, Any], *, version_id: str) -> RateVersion:
    """Build the domain version from a document; `SerializationError` if it is not one."""
    if not isinstance(document, Mapping):
        raise SerializationError("The rate version must be a mapping of fields.")
    data = dict(document)
    data.pop("version_id", None)
    data["version_id"] = version_id
    return typing.cast(RateVersion, _decode_dataclass(RateVersion, data, "version"))


def component_kind_of(component: Component) -> str:
    return component.kind


# --- encoding -------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _encode_dataclass(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(_encode(v) for v in value)
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    return value


def _encode_dataclass(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(value):
        current = getattr(value, f.name)
        if f.name == "kind":
            out["kind"] = current
            continue
        if _is_default(f, current):
            continue
        out[f.name] = _encode(current)
    return out


def _is_default(f: dataclasses.Field[Any], current: Any) -> bool:
    if f.default is not dataclasses.MISSING:
        return bool(current == f.default)
    if f.default_factory is not dataclasses.MISSING:
        return bool(current == f.default_factory())
    return False


# --- decoding -------------------------------------------------------------------------


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls, vars(schedule))
    return _HINTS[cls]


def _decode_dataclass(cls: type, raw: Any, where: str) -> Any:
    if not isinstance(raw, Mapping):
        raise SerializationError(f"{where}: expected a mapping of fields, found {raw!r}.")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise SerializationError(f"{where}: unknown field(s) {', '.join(unknown)}.")
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        if name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise SerializationError(f"{where}: missing required field “{name}”.")
            continue
        if name == "kind":
            continue
        kwargs[name] = _decode(hints[name], raw[name], f"{where}.{name}")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as error:
        raise SerializationError(f"{where}: {error}") from error


def _decode_component(raw: Any, where: str) -> Component:
    kind = raw.get("kind") if isinstance(raw, Mapping) else None
    cls = COMPONENT_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        kinds = ", ".join(COMPONENT_KINDS)
        raise SerializationError(f"{where}: “kind” must be one of {kinds}; found {kind!r}.")
    return typing.cast(Component, _decode_dataclass(cls, raw, where))


def _decode(hint: Any, raw: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return _decode_union(args, raw, where)
    if hint is Decimal:
        return _decimal(raw, where)
    if hint is date:
        return _date(raw, where)
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(raw)
        except ValueError as error:
            choices = ", ".join(str(m.value) for m in hint)
            raise SerializationError(f"{where}: {raw!r} is not one of {choices}.") from error
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decode_dataclass(hint, raw, where)
    if origin in (tuple, frozenset):
        return _decode_sequence(origin, args, raw, where)
    if origin in (Mapping, dict) or origin is typing.get_origin(Mapping[str, int]):
        return _decode_mapping(args, raw, where)
    return _decode_scalar(hint, raw, where)


def _decode_union(args: tuple[Any, ...], raw: Any, where: str) -> Any:
    if raw is None and type(None) in args:
        return None
    members = [a for a in args if a is not type(None)]
    if len(members) > 1 and all(m in COMPONENT_KINDS.values() for m in members):
        return _decode_component(raw, where)
    return _decode(members[0], raw, where)


def _decode_sequence(origin: Any, args: tuple[Any, ...], raw: Any, where: str) -> Any:
    if not isinstance(raw, list | tuple):
        raise SerializationError(f"{where}: expected a list, found {raw!r}.")
    if origin is tuple and len(args) == 2 and args[1] is not Ellipsis:
        if len(raw) != 2:
            raise SerializationError(f"{where}: expected two values, found {len(raw)}.")
        return tuple(
            _decode(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, raw, strict=True))
        )
    item = args[0]
    values = [_decode(item, v, f"{where}[{i}]") for i, v in enumerate(raw)]
    return frozenset(values) if origin is frozenset else tuple(values)


def _decode_mapping(args: tuple[Any, ...], raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise SerializationError(f"{where}: expected a mapping, found {raw!r}.")
    return {str(k): _decode(args[1], v, f"{where}[{k}]") for k, v in raw.items()}


def _decode_scalar(hint: Any, raw: Any, where: str) -> Any:
    if hint is bool:
        if not isinstance(raw, bool):
            raise SerializationError(f"{where}: expected true or false, found {raw!r}.")
        return raw
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise SerializationError(f"{where}: expected a whole number, found {raw!r}.")
        return raw
    if hint is str:
        if not isinstance(raw, str):
            raise SerializationError(f"{where}: expected text, found {raw!r}.")
        return raw
    raise SerializationError(f"{where}: cannot read a value of type {hint!r}.")


def _decimal(raw: Any, where: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | str | float):
        raise SerializationError(f"{where}: expected a number, found {raw!r}.")
    try:
        value = Decimal(str(raw))  # str(): a float typed in YAML reads as written
    except InvalidOperation as error:
        raise SerializationError(f"{where}: “{raw}” is not a number.") from error
    if not value.is_finite():
        raise SerializationError(f"{where}: “{raw}” is not a number.")
    return value


def _date(raw: Any, where: str) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError as error:
        raise SerializationError(f"{where}: “{raw}” is not a date (YYYY-MM-DD).") from error
