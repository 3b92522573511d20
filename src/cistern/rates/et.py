"""Reference evapotranspiration (ETo) for a billing period, for every zone at once.

The ET table (`ReferenceEt`) holds each zone's inches per calendar month. A billing period
seldom matches calendar months, so a period's ET is each month's inches times the share of
that month's days that fall in the period:

    ET(period) = sum over months m touched by the period of inches(m) x days in period and m
                                                                     / days in m

A period of exactly one calendar month gets that month's inches; a period from March 15 to
April 14 gets 17/31 of March and 14/30 of April. The sum is rounded half-up to the hundredth
of an inch (the precision CIMIS publishes), once per period, so equal periods give equal ET
and the rating engine's caches can share lines between them. A zone missing a month counts
that month as zero (``reference_et_set`` always writes all twelve).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

HUNDREDTH = Decimal("0.01")


def month_shares(first_day: date, last_day: date) -> list[tuple[int, int, int]]:
    """(month, service days in that month, days in that month) for each calendar month of the
    period from `first_day` to `last_day` (both inclusive), in order; a month met twice (a
    period over a year long) is listed twice."""
    shares: list[tuple[int, int, int]] = []
    day = first_day
    while day <= last_day:
        length = calendar.monthrange(day.year, day.month)[1]
        month_end = day.replace(day=length)
        until = min(month_end, last_day)
        shares.append((day.month, (until - day).days + 1, length))
        day = until + timedelta(days=1)
    return shares


def prorated_et(
    monthly_inches: Mapping[int, Decimal], shares: Iterable[tuple[int, int, int]]
) -> Decimal:
    """The ET of a period, in inches to the hundredth, from a zone's monthly inches."""
    total = sum(
        (monthly_inches.get(month, Decimal(0)) * days / length for month, days, length in shares),
        Decimal(0),
    )
    return total.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def et_for_period(
    *, first_day: date, last_day: date, zones: Iterable[str] | None = None
) -> dict[str, Decimal]:
    """ET in inches over the period for every zone in the table (or the `zones` given), in one
    query. A zone not in the table is absent from the result: its premises get no outdoor
    allocation."""
    from cistern.rates.models import ReferenceEt  # this module's pure part imports no Django

    shares = month_shares(first_day, last_day)
    rows = ReferenceEt.objects.filter(month__in={m for m, _, _ in shares})
    if zones is not None:
        rows = rows.filter(zone__in=set(zones))
    by_zone: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for zone, month, inches in rows.values_list("zone", "month", "inches"):
        by_zone[zone][month] = Decimal(inches)
    return {zone: prorated_et(monthly, shares) for zone, monthly in by_zone.items()}


def et_zones() -> list[str]:
    """The zones of the ET table, in order (for choices on forms)."""
    from cistern.rates.models import ReferenceEt

    return list(ReferenceEt.objects.order_by("zone").values_list("zone", flat=True).distinct())
