"""Rounding a line's exact dollar amount to whole cents.

Business rule: a bill is rounded once per bill line, never per unit or per tier
step, and the rounding rule is part of the rate schedule (a resolution may say
"rounded to the nearest cent", "rounded down" or use banker's rounding). Half-up
to the cent is the default, as in DESIGN.md "Money and quantities".

This is a private helper of the rating engine so the engine stays free of any
other module; `cistern.core.money` holds the project-wide half-up function and
must agree with `RoundingRule.HALF_UP` here.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from enum import StrEnum

_ONE = Decimal(1)
_HUNDRED = Decimal(100)


class RoundingRule(StrEnum):
    """How a schedule rounds each bill line to the cent."""

    HALF_UP = "half_up"  # 0.005 -> 0.01, -0.005 -> -0.01 (away from zero on ties)
    HALF_EVEN = "half_even"  # 0.005 -> 0.00, 0.015 -> 0.02 (banker's rounding)
    DOWN = "down"  # truncate toward zero: 0.019 -> 0.01, -0.019 -> -0.01


_DECIMAL_MODE = {
    RoundingRule.HALF_UP: ROUND_HALF_UP,
    RoundingRule.HALF_EVEN: ROUND_HALF_EVEN,
    RoundingRule.DOWN: ROUND_DOWN,
}


def round_to_cents(amount_dollars: Decimal, rule: RoundingRule = RoundingRule.HALF_UP) -> int:
    """Return `amount_dollars` rounded to an integer number of cents under `rule`.

    >>> round_to_cents(Decimal("1.005"))
    101
    >>> round_to_cents(Decimal("1.005"), RoundingRule.HALF_EVEN)
    100
    >>> round_to_cents(Decimal("1.019"), RoundingRule.DOWN)
    101
    """
    return cents_in_mode(amount_dollars, _DECIMAL_MODE[rule])


def decimal_mode(rule: RoundingRule) -> str:
    """The `decimal` rounding mode of `rule` (the engine looks it up once per slice)."""
    return _DECIMAL_MODE[rule]


def cents_in_mode(amount_dollars: Decimal, mode: str) -> int:
    """`amount_dollars` rounded to whole cents in `decimal_mode(rule)`: the one rounding step."""
    # the mode by position: as a keyword it costs `quantize` a slower argument parse
    return int((amount_dollars * _HUNDRED).quantize(_ONE, mode))
