"""Domain bill lines in the shape the bill-line table shows (same names as BillLine rows)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cistern.rates.domain import BillLine


def display_lines(lines: Iterable[BillLine]) -> list[dict[str, Any]]:
    return [
        {
            "label": ln.label,
            "tier": ln.tier,
            "tier_from": ln.tier_from,
            "tier_to": ln.tier_to,
            "quantity": ln.quantity,
            "unit": ln.unit,
            "unit_price": ln.unit_price,
            "days": ln.days,
            "service_start": ln.start,
            "proration": ln.proration,
            "rate_version_id": ln.version_id,
            "amount_cents": ln.amount_cents,
        }
        for ln in lines
    ]
