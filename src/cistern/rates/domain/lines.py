"""Building explained bill lines from a slice: the one place a line's amount is rounded.

A volumetric line is quantity x unit price; a fixed line is amount x quantity x
the slice's proration (divided into installments); a minimum line carries the
top-up. Each amount is rounded once, to the cent, in the slice's rounding mode
(`rounding.cents_in_mode`). Lines are built with `tuple.__new__`: a `BillLine`
is a NamedTuple, and this skips its Python-level constructor (the same object).

With the engine's caches, a tier table on a slice is kept as `Blocks`, which
builds the line of a block filled whole once and shares it between bills: the
same lines as filling the blocks afresh, field for field.
"""

from __future__ import annotations

from decimal import Decimal

from cistern.rates.domain.bill import BillLine
from cistern.rates.domain.rounding import cents_in_mode
from cistern.rates.domain.slices import Slice

CACHE_LIMIT = 50_000  # entries per cache of the engine's before it starts afresh
_ONE = Decimal(1)
_new = tuple.__new__

# A component's lines: one line kept bare (a tuple fewer for the collector to track
# in each cached entry; most components bill one line), else a tuple of them.
Rated = BillLine | tuple[BillLine, ...]
NOTHING: Rated = ()


def rated(out: list[BillLine]) -> Rated:
    """`out` as a component's lines: the line itself when there is one."""
    return out[0] if len(out) == 1 else tuple(out)


def volumetric_line(
    s: Slice,
    code: str,
    label: str,
    unit: str,
    tier: int,
    lower: Decimal | None,
    upper: Decimal | None,
    qty: Decimal,
    price: Decimal,
) -> BillLine:
    cents = cents_in_mode(qty * price, s.mode)
    return _new(
        BillLine,
        (
            code,
            label,
            s.version_id,
            s.start,
            s.end,
            s.days,
            s.proration,
            tier,
            lower,
            upper,
            unit,
            qty,
            price,
            cents,
        ),
    )


def fixed_line(
    s: Slice, code: str, label: str, unit: str, qty: int, amount: Decimal, installments: int
) -> BillLine:
    unit_price = amount if installments == 1 else amount / installments
    exact = amount * qty * s.num / (s.den * installments)
    cents = cents_in_mode(exact, s.mode)
    return _new(
        BillLine,
        (
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
        ),
    )


def minimum_line(code: str, label: str, s: Slice, top: Decimal, cents: int) -> BillLine:
    """The line topping a part up to its minimum: `top` dollars, `cents` cents."""
    return _new(
        BillLine,
        (
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
            "minimum",
            _ONE,
            top,
            cents,
        ),
    )


Band = tuple[int, Decimal, Decimal | None, Decimal, str]  # tier, lower, upper, price, label


class Blocks:
    """A tier table's bands (ascending) on one slice, kept by the engine's caches.

    The line of a band that usage fills whole (to its upper bound) does not depend
    on the usage: it is built the first time a bill fills the band and shared by
    every later bill; only the last, partly filled band's line is built per usage.
    The bands are plain tuples of numbers and text (untracked by the collector).
    """

    __slots__ = ("bands", "code", "filled", "slice", "unit")

    def __init__(self, s: Slice, code: str, unit: str, bands: tuple[Band, ...]) -> None:
        self.slice, self.code, self.unit = s, code, unit
        self.bands = bands
        self.filled: list[BillLine | None] = [None] * len(bands)  # built when first needed

    def lines(self, usage: Decimal) -> Rated:
        """`usage` (> 0) filling the bands in order; one line bare (`Rated`).

        Usage at or above a band's upper bound fills it whole (quantity upper - lower).
        """
        s, code, unit, filled = self.slice, self.code, self.unit, self.filled
        out = []
        for i, (tier, lower, upper, price, label) in enumerate(self.bands):
            if usage <= lower:
                break
            if upper is None or usage < upper:
                qty = usage - lower
                out.append(volumetric_line(s, code, label, unit, tier, lower, upper, qty, price))
            elif upper > lower:  # an empty band (upper == lower) bills nothing
                line = filled[i]
                if line is None:
                    qty = upper - lower
                    line = volumetric_line(s, code, label, unit, tier, lower, upper, qty, price)
                    filled[i] = line
                out.append(line)
        return rated(out)
