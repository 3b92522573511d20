"""Business-day arithmetic over a district calendar.

A business day is a Monday-to-Friday date that is not in the district's set of closed
dates (legal holidays, closures, furlough days). Used by the shutoff law (Gov §60374: no
disconnection when the office is closed; "7 business days" after first contact) and by due
dates. Pure: the closed dates come in as an argument.
"""

from collections.abc import Collection
from datetime import date, timedelta

SATURDAY = 5


def is_business_day(day: date, closed: Collection[date]) -> bool:
    return day.weekday() < SATURDAY and day not in closed


def add_business_days(start: date, count: int, closed: Collection[date]) -> date:
    """The date ``count`` business days after ``start`` (before it, for a negative count).

    ``start`` itself is not counted: one business day after a Friday is the next open Monday.
    Zero returns ``start`` unchanged, business day or not.
    """
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    day = start
    while remaining:
        day += timedelta(days=step)
        if is_business_day(day, closed):
            remaining -= 1
    return day


def next_business_day(day: date, closed: Collection[date]) -> date:
    """``day`` if it is a business day, else the first business day after it."""
    while not is_business_day(day, closed):
        day += timedelta(days=1)
    return day


def business_days_between(start: date, end: date, closed: Collection[date]) -> int:
    """Business days in the half-open range (start, end]: after ``start``, up to ``end``."""
    if end < start:
        return -business_days_between(end, start, closed)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day, closed):
            count += 1
    return count
