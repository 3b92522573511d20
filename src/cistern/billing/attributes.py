"""The one place an account's `RatingAttributes` are built from plain values.

A bill run, the bill calculator and any report that rates a bill call `rating_attributes`
with the values of one row: the premise's class, dwelling units, district, household,
irrigated area, landscape factor, strength class and variance; the meter's size; the ET of
the premise's zone over the period (``cistern.rates.et``); the account's winter-average
sewer cap (``cistern.rates.sewer_caps``). No database, no clock.

Equal values give the *same* object (interned). Thousands of homes in a cycle share a class,
a meter size and a household, so a run holds a few hundred attribute objects instead of one
per account, and the rating engine's caches, keyed on attribute values, hit by identity
first. The cache is bounded; when it fills it starts afresh (correct either way).

The arguments are positional in the order of `ROW_FIELDS`, so a query can select its
columns in that order and call ``rating_attributes(*row)``; keywords work too.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from cistern.rates.domain import District, RatingAttributes

# The order of `rating_attributes`'s positional arguments.
ROW_FIELDS = (
    "premise_class",
    "meter_size",
    "dwelling_units",
    "in_district",
    "household_size",
    "irrigated_area_sqft",
    "landscape_factor",
    "et_inches",
    "strength_class",
    "sewer_cap_ccf",
    "variance_ccf",
    "zone",
)
DEFAULT_METER_SIZE = '5/8"'
CACHE_SIZE = 65_536  # distinct argument tuples remembered; interned objects likewise

_ZERO = Decimal(0)
_INTERNED: dict[RatingAttributes, RatingAttributes] = {}

Quantity = Decimal | int | str | None


def rating_attributes(
    premise_class: str,
    meter_size: str | None = None,
    dwelling_units: int | None = 1,
    in_district: bool = True,
    household_size: int | None = 0,
    irrigated_area_sqft: Quantity = _ZERO,
    landscape_factor: Quantity = None,
    et_inches: Quantity = _ZERO,
    strength_class: str | None = "",
    sewer_cap_ccf: Quantity = None,
    variance_ccf: Quantity = _ZERO,
    zone: str | None = "",
) -> RatingAttributes:
    """The rating attributes for one account, shared with every account of equal values.

    `meter_size` is a meter's size as stored (``5/8``, ``1-1/2``) or as a schedule writes it
    (``5/8"``); None means no meter (the 5/8" base). Quantities are `Decimal`, `int` or a
    decimal string; None for the landscape factor means "the schedule's", for the sewer cap
    "no winter average" (the schedule's default cap). A float is refused (`TypeError`):
    quantities are exact.
    """
    return _cached(
        premise_class, meter_size, dwelling_units, in_district, household_size,
        irrigated_area_sqft, landscape_factor, et_inches, strength_class, sewer_cap_ccf,
        variance_ccf, zone,
    )  # fmt: skip


def rating_attributes_cache_clear() -> None:
    """Forget every remembered object (tests; a long-lived process after a rate change)."""
    _cached.cache_clear()
    _INTERNED.clear()


@lru_cache(maxsize=CACHE_SIZE, typed=True)
def _cached(
    premise_class: str,
    meter_size: str | None,
    dwelling_units: int | None,
    in_district: bool,
    household_size: int | None,
    irrigated_area_sqft: Quantity,
    landscape_factor: Quantity,
    et_inches: Quantity,
    strength_class: str | None,
    sewer_cap_ccf: Quantity,
    variance_ccf: Quantity,
    zone: str | None,
) -> RatingAttributes:
    attrs = RatingAttributes(
        customer_class=premise_class,
        meter_size=_meter_size(meter_size),
        dwelling_units=int(dwelling_units or 0) or 1,
        household_size=int(household_size or 0),
        irrigated_area_sqft=_decimal(irrigated_area_sqft, "irrigated_area_sqft") or _ZERO,
        landscape_factor=_decimal(landscape_factor, "landscape_factor"),
        et_inches=_decimal(et_inches, "et_inches") or _ZERO,
        district=District.IN if in_district else District.OUT,
        zone=zone or "",
        sewer_cap_ccf=_decimal(sewer_cap_ccf, "sewer_cap_ccf"),
        strength_class=strength_class or "",
        variance_ccf=_decimal(variance_ccf, "variance_ccf") or _ZERO,
    )
    if len(_INTERNED) >= CACHE_SIZE:
        _INTERNED.clear()
    return _INTERNED.setdefault(attrs, attrs)


def _meter_size(size: str | None) -> str:
    if not size:
        return DEFAULT_METER_SIZE
    return size if size.endswith('"') else f'{size}"'


def _decimal(value: Quantity, name: str) -> Decimal | None:
    """`value` as a Decimal (None stays None); equal decimals intern to one object anyway."""
    if value is None:
        return None
    if isinstance(value, float | bool):
        raise TypeError(f"{name} must be a Decimal, an int or a decimal string, not {value!r}")
    return value if isinstance(value, Decimal) else Decimal(value)
