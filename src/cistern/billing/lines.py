"""Domain bill lines to stored `BillLine` rows, and back (for line-for-line comparisons)."""

from __future__ import annotations

from collections.abc import Sequence

from cistern.billing.models import Bill, BillLine
from cistern.billing.rating import CategorizedLine


def bill_line_rows(bill: Bill, lines: Sequence[CategorizedLine]) -> list[BillLine]:
    rows = []
    for seq, item in enumerate(lines, start=1):
        line = item.line
        rows.append(
            BillLine(
                bill=bill,
                seq=seq,
                code=line.code,
                label=line.label,
                rate_version_id=int(line.version_id) if line.version_id.isdigit() else None,
                service_start=line.start,
                service_end=line.end,
                days=line.days,
                proration=line.proration,
                tier=line.tier,
                tier_from=line.tier_from,
                tier_to=line.tier_to,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount_cents=line.amount_cents,
                category=item.category,
            )
        )
    return rows


LINE_FIELDS = (
    "seq", "code", "label", "rate_version_id", "service_start", "service_end", "days",
    "proration", "tier", "tier_from", "tier_to", "unit", "quantity", "unit_price",
    "amount_cents", "category",
)  # fmt: skip


def line_values(bill: Bill) -> list[tuple[object, ...]]:
    """A bill's stored lines as comparable tuples, in order."""
    return [tuple(row) for row in bill.lines.order_by("seq").values_list(*LINE_FIELDS)]
