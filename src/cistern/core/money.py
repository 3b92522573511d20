"""Money: integer cents everywhere, one rounding function, allocation that keeps the total.

Every amount of money in Cistern is an ``int`` number of cents. Unit prices and other
exact fractions are ``Decimal``; a Decimal becomes cents exactly once per bill line, in
``round_cents`` (half-up, away from zero on .5). No float ever touches money: the
functions here refuse one.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


class MoneyError(ValueError):
    """An amount could not be understood as money."""


def round_cents(amount_dollars: Decimal) -> int:
    """Round an exact dollar amount half-up to whole cents and return the cents.

    ``round_cents(Decimal("1.005")) == 101``; ``round_cents(Decimal("-1.005")) == -101``.
    """
    if not isinstance(amount_dollars, Decimal):
        raise MoneyError(f"round_cents takes a Decimal, not {type(amount_dollars).__name__}")
    return int((amount_dollars * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cents_to_decimal(cents: int) -> Decimal:
    """Cents as an exact Decimal of dollars (``1234`` -> ``Decimal("12.34")``)."""
    return (Decimal(cents) / 100).quantize(CENT)


def format_cents(cents: int, *, symbol: str = "$") -> str:
    """Display form: ``-123456`` -> ``-$1,234.56``."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{symbol}{whole:,}.{part:02d}"


def parse_cents(text: str) -> int:
    """Parse what a person types as an amount (``"1,234.5"``, ``"$12"``, ``"-3.10"``) into cents.

    Refuses more than two decimal places, floats in disguise (``"1e3"``) and empty input.
    """
    cleaned = text.strip().replace(",", "").replace("$", "")
    if not cleaned:
        raise MoneyError("Enter an amount.")
    if any(c in cleaned for c in "eE") or cleaned.count(".") > 1:
        raise MoneyError(f"“{text}” is not an amount of money.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise MoneyError(f"“{text}” is not an amount of money.") from exc
    if not value.is_finite():
        raise MoneyError(f"“{text}” is not an amount of money.")
    if value != value.quantize(CENT):
        raise MoneyError(f"“{text}” has more than two decimal places.")
    return int(value * 100)


def allocate(total_cents: int, weights: Sequence[int]) -> list[int]:
    """Split ``total_cents`` over parts in proportion to ``weights``; the parts sum to the total.

    Uses the largest-remainder method: every part first gets the floor of its exact share,
    then the leftover cents go one each to the parts with the largest remainders (earliest
    part first on ties), so the result is deterministic. Negative totals split like positive
    ones with the sign applied.
    """
    if not weights:
        raise MoneyError("allocate needs at least one part")
    if any(w < 0 for w in weights):
        raise MoneyError("allocation weights cannot be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise MoneyError("allocation weights cannot all be zero")
    sign = -1 if total_cents < 0 else 1
    magnitude = abs(total_cents)
    shares = [divmod(magnitude * w, weight_sum) for w in weights]
    parts = [q for q, _ in shares]
    leftover = magnitude - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-shares[i][1], i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return [sign * p for p in parts]
