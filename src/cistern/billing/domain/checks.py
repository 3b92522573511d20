"""The checks a calculated bill goes through before a reviewer sees the run (pure).

A bill is flagged when its total is zero or negative, or when it is above `high_factor`
times (or below `low_factor` times) the average of the account's recent posted bills.
Accounts with no posted bills yet are not compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

HISTORY_BILLS = 3  # how many recent posted bills make the account's "usual" bill

ZERO_OR_NEGATIVE = "zero_or_negative"
HIGH = "high"
LOW = "low"


def total_checks(
    *, total_cents: int, recent_totals: Sequence[int], high_factor: Decimal, low_factor: Decimal
) -> list[tuple[str, str]]:
    """(kind, detail) for each check the total fails; empty when the bill looks usual."""
    found: list[tuple[str, str]] = []
    if total_cents <= 0:
        found.append((ZERO_OR_NEGATIVE, f"Total is {_dollars(total_cents)}."))
    usable = [t for t in recent_totals[:HISTORY_BILLS] if t > 0]
    if not usable or total_cents <= 0:
        return found
    average = Decimal(sum(usable)) / len(usable)
    if Decimal(total_cents) > average * high_factor:
        found.append(
            (HIGH, f"{_dollars(total_cents)} is over {high_factor}x the usual {_avg(average)}.")
        )
    elif Decimal(total_cents) < average * low_factor:
        found.append(
            (LOW, f"{_dollars(total_cents)} is under {low_factor}x the usual {_avg(average)}.")
        )
    return found


def _dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{part:02d}"


def _avg(average: Decimal) -> str:
    return _dollars(int(average.to_integral_value()))
