"""Reads for the accounting periods screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth

from cistern.ledger.domain.periods import month_end, month_start, next_month_start
from cistern.ledger.models import AccountingPeriod, JournalEntry


@dataclass(frozen=True)
class PeriodRow:
    start_date: date
    end_date: date
    closed_at: datetime | None
    closed_by: str
    entry_count: int
    can_close: bool  # ended, open, and every earlier month with activity is closed

    @property
    def month(self) -> str:
        return f"{self.start_date:%Y-%m}"


def accounting_period_list(*, today: date) -> list[PeriodRow]:
    """Every month from the ledger's first period (or first entry) through this month,
    newest first."""
    rows = {p.start_date: p for p in AccountingPeriod.objects.select_related("closed_by")}
    counts = {
        month_start(r["month"] if isinstance(r["month"], date) else r["month"].date()): r["n"]
        for r in JournalEntry.objects.annotate(month=TruncMonth("effective_date"))
        .values("month")
        .annotate(n=Count("id"))
    }
    first = min([*rows, *counts, month_start(today)])
    result: list[PeriodRow] = []
    blocked = False  # an earlier month is still open
    month = first
    while month <= month_start(today):
        row = rows.get(month)
        closed = row is not None and row.closed_at is not None
        result.append(
            PeriodRow(
                start_date=month,
                end_date=month_end(month),
                closed_at=row.closed_at if row else None,
                closed_by=str(row.closed_by) if row and row.closed_by else "",
                entry_count=counts.get(month, 0),
                can_close=not closed and not blocked and month_end(month) < today,
            )
        )
        blocked = blocked or (not closed and row is not None)
        month = next_month_start(month)
    return list(reversed(result))
