"""A rate version compiled for fast rating: components filtered per class, and
each component's lines cached by exactly the inputs it reads.

A component's lines are a pure function of the slice of the period (its dates,
days and proration), the bill's usage (for volumetric kinds), and a few account
attributes that differ by kind: each kernel's `metered_key` and `key_reads` in
`charges.py` name them (a service charge reads the slice, whether usage is
zero, the meter size and the dwelling units; a tiered charge the slice with its
usage, meter size, dwelling units and district...), and a step gets them with
`operator.attrgetter`, in C. Caching on that key is exact: the same inputs
give the same lines. In a bill run, thousands of homes share a meter size, a
usage and a period, so most lines are found rather than computed. A minimum
charge depends on the lines before it and is never cached.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from operator import attrgetter
from typing import NamedTuple

from cistern.rates.domain import charges
from cistern.rates.domain.inputs import RatingAttributes
from cistern.rates.domain.lines import Rated
from cistern.rates.domain.schedule import Component, District, MinimumCharge, RateVersion
from cistern.rates.domain.slices import Metered

LinesFn = Callable[[Metered, RatingAttributes], Rated]


class Run(NamedTuple):
    """What the engine's loop needs of a step, as a tuple it unpacks in one go."""

    months: frozenset[int]  # the step's season (empty: all year)
    store: dict[Hashable, Rated] | None  # its line cache (None: not cached)
    # its line cache's key is (metered_key(metered), account_key(attrs)) (see charges.Kernel)
    metered_key: Callable[[Metered], Hashable] | None
    account_key: Callable[[RatingAttributes], Hashable] | None
    lines: LinesFn | None  # computes its lines (None for a minimum)
    minimum: MinimumCharge | None  # a minimum charge, rated on the lines before it


class Step:
    """One component, ready to rate: its filters, and its kernel and line cache as a `Run`."""

    __slots__ = ("classes", "district", "months", "reads", "run", "zones")

    def __init__(self, component: Component, *, remember: bool) -> None:
        applies = component.applies
        self.classes = applies.classes
        self.district = applies.district
        self.zones = applies.zones
        self.months = applies.months
        self.reads: tuple[str, ...] = ()  # account attributes its lines read (see Kernel)
        if isinstance(component, MinimumCharge):
            self.run = Run(self.months, None, None, None, None, component)
        else:
            kernel = charges.compile_kernel(component, remember=remember)
            self.reads = kernel.reads
            store: dict[Hashable, Rated] | None = {} if remember else None
            metered_key = attrgetter(kernel.metered_key)
            names = kernel.key_reads
            account_key = attrgetter(*names) if names else _nothing
            self.run = Run(self.months, store, metered_key, account_key, kernel.lines, None)

    def applies_to(self, customer_class: str, district: District, zone: str) -> bool:
        if self.classes and customer_class not in self.classes:
            return False
        if self.district is not None and district is not self.district:
            return False
        return not self.zones or zone in self.zones


def _nothing(attrs: RatingAttributes) -> Hashable:
    return ()


class CompiledVersion:
    """A version's steps, and the month sets its seasonal steps use."""

    __slots__ = ("seasons", "steps", "version")

    def __init__(self, version: RateVersion, *, remember: bool) -> None:
        self.version = version
        self.steps = tuple(Step(c, remember=remember) for c in version.components)
        self.seasons = frozenset(step.months for step in self.steps if step.months)
