"""Accounting periods are calendar months. A date is closed when it falls on or before the
last day of the latest closed period; periods close in order, so closed months form an
unbroken run from the start of the ledger (I9)."""

from __future__ import annotations

import calendar
from datetime import date


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def previous_month_start(day: date) -> date:
    first = month_start(day)
    return (
        first.replace(year=first.year - 1, month=12)
        if first.month == 1
        else first.replace(month=first.month - 1)
    )


def next_month_start(day: date) -> date:
    first = month_start(day)
    return (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )


def is_closed(*, day: date, latest_closed_end: date | None) -> bool:
    """True when ``day`` lies in a closed period."""
    return latest_closed_end is not None and day <= latest_closed_end
