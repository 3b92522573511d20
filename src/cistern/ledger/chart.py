"""The chart of accounts every district starts with (a water/wastewater enterprise fund).

``CHART`` is data; ``chart_create_missing`` creates whichever lines are missing and leaves
existing ones (and Finance's edits to them) alone. The data migration calls it with the
historical model, ``services.ledger_chart_seed`` with the real one (and audits).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cistern.ledger import codes


@dataclass(frozen=True)
class ChartLine:
    code: str
    name: str
    kind: str  # LedgerAccount.Kind value
    is_receivable: bool = False


ASSET, LIABILITY, EQUITY, REVENUE, EXPENSE = "asset", "liability", "equity", "revenue", "expense"

CHART: tuple[ChartLine, ...] = (
    ChartLine(codes.CASH_CLEARING, "Cash clearing", ASSET),
    ChartLine(codes.CASH_IN_BANK, "Cash in bank", ASSET),
    ChartLine(codes.AR_WATER, "Accounts receivable — water", ASSET, True),
    ChartLine(codes.AR_SEWER, "Accounts receivable — sewer", ASSET, True),
    ChartLine(codes.AR_IRRIGATION, "Accounts receivable — irrigation", ASSET, True),
    ChartLine(codes.AR_FIRE_LINE, "Accounts receivable — fire line", ASSET, True),
    ChartLine(codes.AR_RECYCLED, "Accounts receivable — recycled water", ASSET, True),
    ChartLine(codes.AR_FEES, "Accounts receivable — fees", ASSET, True),
    ChartLine(codes.AR_OTHER, "Accounts receivable — other", ASSET, True),
    ChartLine(codes.TAX_ROLL_RECEIVABLE, "Tax-roll receivable", ASSET),
    ChartLine(codes.ALLOWANCE, "Allowance for doubtful accounts", ASSET),
    ChartLine(codes.DEPOSITS_HELD, "Customer deposits held", LIABILITY),
    ChartLine(codes.UNAPPLIED_CREDITS, "Unapplied credits", LIABILITY),
    ChartLine(codes.REFUNDS_PAYABLE, "Refunds payable", LIABILITY),
    ChartLine(codes.CONVERSION_EQUITY, "Conversion opening balances", EQUITY),
    ChartLine(codes.REV_WATER, "Water sales", REVENUE),
    ChartLine(codes.REV_SEWER, "Sewer service charges", REVENUE),
    ChartLine(codes.REV_IRRIGATION, "Irrigation water sales", REVENUE),
    ChartLine(codes.REV_FIRE_LINE, "Private fire line charges", REVENUE),
    ChartLine(codes.REV_RECYCLED, "Recycled water sales", REVENUE),
    ChartLine(codes.REV_OTHER, "Other operating revenue", REVENUE),
    ChartLine(codes.FEE_LATE, "Late fees", REVENUE),
    ChartLine(codes.FEE_RETURNED_PAYMENT, "Returned payment fees", REVENUE),
    ChartLine(codes.FEE_RECONNECTION, "Reconnection fees", REVENUE),
    ChartLine(codes.FEE_DOOR_TAG, "Door tag fees", REVENUE),
    ChartLine(codes.FEE_NEW_ACCOUNT, "New account fees", REVENUE),
    ChartLine(codes.FEE_METER_TEST, "Meter test fees", REVENUE),
    ChartLine(codes.BAD_DEBT, "Bad debt expense", EXPENSE),
    ChartLine(codes.CASH_OVER_SHORT, "Cash over and short", EXPENSE),
)


def chart_create_missing(ledger_account_model: Any) -> list[Any]:
    """Create the lines of ``CHART`` whose code is not yet used; return the new rows."""
    existing = set(ledger_account_model.objects.values_list("code", flat=True))
    created = []
    for line in CHART:
        if line.code in existing:
            continue
        created.append(
            ledger_account_model.objects.create(
                code=line.code, name=line.name, kind=line.kind, is_receivable=line.is_receivable
            )
        )
    return created
