"""Building explained bill lines from a slice: the one place a line's amount is rounded.

A volumetric line is quantity x unit price; a fixed line is amount x quantity x
the slice's proration (divided into installments); a minimum line carries the
top-up. Each amount is rounded once, to the cent, in the slice's rounding mode
(`rounding.cents_in_mode`). Lines are built with `tuple.__new__`: a `BillLine`
is a NamedTuple, and this skips its Python-level constructor (the same object).
"""

from __future__ import annotations

from decimal import Decimal

from cistern.rates.domain.bill import BillLine
from cistern.rates.domain.rounding import cents_in_mode
from cistern.rates.domain.slices import Slice

_ONE = Decimal(1)
_new = tuple.__new__


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
