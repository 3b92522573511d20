"""A rate version compiled for fast rating: components filtered per class, and
each component's lines cached by exactly the inputs it reads.

A component's lines are a pure function of the slice of the period (its dates,
days and proration, fixed by the part and the period), the bill's usage, and a
few account attributes that differ by kind (the getters in `_compile`). Caching on that
key is exact: the same inputs give the same lines. In a bill run, thousands of
homes share a meter size, a usage and a period, so most lines are found rather
than computed. A minimum charge depends on the lines before it and is never
cached.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import partial
from operator import attrgetter

from cistern.rates.domain import charges
from cistern.rates.domain.bill import BillLine
from cistern.rates.domain.inputs import RatingAttributes
from cistern.rates.domain.schedule import (
    BudgetTieredCharge,
    Component,
    District,
    FixedCharge,
    MinimumCharge,
    RateVersion,
    SewerVolumetric,
    TieredCharge,
    VolumetricSurcharge,
)

RateFn = Callable[[charges.Slice, list[BillLine]], None]
Rated = tuple[tuple[BillLine, ...], int]  # a step's lines and their total cents
AttributeKey = Callable[[RatingAttributes], Hashable]
CACHE_LIMIT = 50_000  # entries per component before its cache starts afresh


_TIERED_KEY = attrgetter("meter_size", "dwelling_units", "district")
_BUDGET_KEY = attrgetter(
    "household_size", "irrigated_area_sqft", "landscape_factor", "et_inches", "variance_ccf"
)
_SEWER_KEY = attrgetter("strength_class", "sewer_cap_ccf")


def _compile(component: Component) -> tuple[RateFn, AttributeKey | None, bool]:
    """(rating function, attributes it reads, whether it may be cached).

    The usage is part of every cache key (see `Rater`), so it is not listed here.
    """
    if isinstance(component, TieredCharge):
        compiled = charges.CompiledTiered(component)
        return partial(charges.rate_tiered, compiled), _TIERED_KEY, True
    if isinstance(component, FixedCharge):
        key = attrgetter(component.meter_attribute, "dwelling_units")
        return partial(charges.rate_fixed, component), key, True
    if isinstance(component, BudgetTieredCharge):
        return partial(charges.rate_budget, component), _BUDGET_KEY, True
    if isinstance(component, VolumetricSurcharge):
        return partial(charges.rate_surcharge, component), None, True
    if isinstance(component, SewerVolumetric):
        return partial(charges.rate_sewer, component), _SEWER_KEY, True
    if isinstance(component, MinimumCharge):
        return partial(charges.rate_minimum, component), None, False
    raise TypeError(f"unknown component {component!r}")


class Step:
    """One component, ready to rate: its function, its filters and its line cache."""

    __slots__ = (
        "attribute_key",
        "cache",
        "cacheable",
        "classes",
        "district",
        "months",
        "rate",
        "zones",
    )

    def __init__(self, component: Component) -> None:
        applies = component.applies
        self.classes = applies.classes
        self.district = applies.district
        self.zones = applies.zones
        self.months = applies.months
        self.rate, self.attribute_key, self.cacheable = _compile(component)
        self.cache: dict[Hashable, Rated] = {}

    def applies_to(self, customer_class: str, district: District, zone: str) -> bool:
        if self.classes and customer_class not in self.classes:
            return False
        if self.district is not None and district is not self.district:
            return False
        return not self.zones or zone in self.zones

    def remember(self, key: Hashable, lines: Rated) -> None:
        if len(self.cache) >= CACHE_LIMIT:
            self.cache.clear()
        self.cache[key] = lines


class CompiledVersion:
    """A version's steps, and the steps that apply to each customer class."""

    __slots__ = ("by_account", "steps", "version")

    def __init__(self, version: RateVersion) -> None:
        self.version = version
        self.steps = tuple(Step(component) for component in version.components)
        self.by_account: dict[tuple[str, District, str], tuple[Step, ...]] = {}

    def steps_for(self, customer_class: str, district: District, zone: str) -> tuple[Step, ...]:
        """The steps that apply to accounts of this class, district and zone."""
        key = (customer_class, district, zone)
        found = self.by_account.get(key)
        if found is None:
            found = tuple(s for s in self.steps if s.applies_to(customer_class, district, zone))
            self.by_account[key] = found
        return found
