"""The business calendar as the rest of Cistern uses it: today's date in the district's time
zone, and business-day arithmetic over the closed days stored in the database.

The arithmetic itself is pure (``cistern.core.domain.business_days``); this module only
fetches the closed dates it needs. Dates are in the district's time zone (America/Los_Angeles
unless the Administrator changes it), never the server's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from cistern.core.domain import business_days as bd
from cistern.core.selectors import closed_dates_between, district_time_zone


def district_now() -> datetime:
    """The current moment as an aware datetime in the district's time zone."""
    return timezone.now().astimezone(district_time_zone())


def district_today() -> date:
    """Today's date where the district is (not where the server is)."""
    return district_now().date()


def is_business_day(*, day: date) -> bool:
    return bd.is_business_day(day, closed_dates_between(day, day))


def business_days_add(*, start: date, count: int) -> date:
    """The date ``count`` business days after ``start`` (before it when negative).

    Fetches the closed days in a window wide enough for the answer, widening it if a long
    run of closures pushes the answer past the window.
    """
    span = abs(count) * 2 + 31
    while True:
        low, high = (start, start + timedelta(days=span))
        if count < 0:
            low, high = (start - timedelta(days=span), start)
        result = bd.add_business_days(start, count, closed_dates_between(low, high))
        if low <= result <= high:
            return result
        span *= 2
