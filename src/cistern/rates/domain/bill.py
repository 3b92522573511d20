"""The rating engine's output: bill lines that explain themselves, and their sum.

Each line says what was charged and why: the charge, the rate version, the days
and proration factor, the tier and its bounds, the quantity, the unit price and
the amount in integer cents, rounded once for the line under the schedule's
rounding rule. How the amount follows from the other fields:

- fixed lines (`unit == "period"` or `"dwelling unit"`):
  amount = quantity x unit_price x proration;
- volumetric lines: amount = quantity x unit_price; the proration has already
  been applied to the tier bounds shown in `tier_from` / `tier_to` (and to any
  threshold or cap);
- minimum-charge lines: the difference up to the prorated minimum.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple


class BillLine(NamedTuple):
    """One explained line (a NamedTuple: immutable and cheap to build by the million)."""

    code: str
    label: str
    version_id: str
    start: date  # first service day this line covers
    end: date  # exclusive
    days: int
    proration: Decimal  # 1 for a full period
    tier: int  # 1-based block number; 0 when not tiered
    tier_from: Decimal | None  # lower bound of the block (prorated), in `unit`
    tier_to: Decimal | None  # upper bound (prorated), None = no upper bound
    unit: str  # "ccf", "kgal", ..., "period", "dwelling unit"
    quantity: Decimal
    unit_price: Decimal  # dollars per unit
    amount_cents: int


class Bill(NamedTuple):
    """A rated bill: its lines in order, and their total (always the sum of the lines).

    A NamedTuple rather than a dataclass: a bill run builds millions of them.
    """

    lines: tuple[BillLine, ...]
    total_cents: int

    @classmethod
    def of(cls, lines: tuple[BillLine, ...]) -> Bill:
        return cls(lines, sum(line.amount_cents for line in lines))
