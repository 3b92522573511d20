"""Winter-average sewer caps: recomputed once a year, read for every bill.

Most homes do not irrigate in winter, so winter water use approximates what goes down the
drain. Each year, before the July bills, ``sewer_caps_recompute(year=Y)`` averages each
account's billed usage (posted bills, in CCF) over the winter that ends in year Y
(November Y-1 to March Y by default, or December to February), rounded down to a whole CCF
(``rates.domain.sewer.winter_average``), and stores it as the account's cap for July 1 Y to
June 30 Y+1. A bill is a winter bill when its last service day falls in a winter month.

Running it again for the same year replaces that year's caps (they are derived data; the
run and its counts stay in the audit trail). An account with no winter bill gets no cap,
and a sewer charge with a winter-average cap then uses the schedule's default.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.ledger.bulk_sql import select_in
from cistern.rates.domain import BillingPeriod, VolumeUnit, convert
from cistern.rates.domain.sewer import WINTER_DEC_TO_FEB, WINTER_NOV_TO_MAR, winter_average
from cistern.rates.models import SewerCap, SewerCapRun

WINTERS = {"nov-mar": WINTER_NOV_TO_MAR, "dec-feb": WINTER_DEC_TO_FEB}
CAPS_FROM_MONTH = 7  # caps apply from July 1 for a year
SEWER_CAP_YEAR_INVALID = _("Enter the year the caps take effect, for example 2026.")
SEWER_CAP_WINTER_INVALID = _("Choose the winter months: nov-mar or dec-feb.")
_BATCH = 2000
_IDS_PER_QUERY = 900


def cap_year_on(day: date) -> int:
    """The cap year in force on `day` (caps run from July 1 to June 30)."""
    return day.year if day.month >= CAPS_FROM_MONTH else day.year - 1


def _winter_bills(
    year: int, months: frozenset[int]
) -> dict[int, list[tuple[BillingPeriod, Decimal]]]:
    """Per account, (period, usage in CCF) of its posted winter bills ending in the winter."""
    from cistern.billing.models import Bill  # billing imports rates; keep the cycle lazy

    rows = (
        Bill.objects.filter(
            status=Bill.Status.POSTED,
            period_end__gte=date(year - 1, CAPS_FROM_MONTH, 1),
            period_end__lt=date(year, CAPS_FROM_MONTH, 1),
            period_end__month__in=sorted(months),
        )
        .order_by("account_id", "period_end")
        .values_list("account_id", "period_start", "period_end", "usage", "usage_unit")
    )
    found: dict[int, list[tuple[BillingPeriod, Decimal]]] = defaultdict(list)
    for account_id, start, end, usage, unit in rows.iterator(chunk_size=5000):
        ccf = convert(Decimal(usage), VolumeUnit(unit or "ccf"), VolumeUnit.CCF)
        found[account_id].append((BillingPeriod(start, end + timedelta(days=1)), ccf))
    return found


def _sewer_account_ids() -> set[int]:
    from cistern.customers.models import AccountService

    rows = AccountService.objects.filter(service="sewer", ended_on__isnull=True)
    return set(rows.values_list("account_id", flat=True))


def sewer_caps_recompute(*, year: int, winter: str = "nov-mar", actor: Any) -> SewerCapRun:
    """Average each account's winter use into its cap for July 1 `year` to June 30 `year`+1."""
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2200:
        raise ServiceError(str(SEWER_CAP_YEAR_INVALID), field="year")
    months = WINTERS.get(winter)
    if months is None:
        raise ServiceError(str(SEWER_CAP_WINTER_INVALID), field="winter")
    averages = {
        account_id: (average, len(usages))
        for account_id, usages in _winter_bills(year, months).items()
        if (average := winter_average(usages, months)) is not None
    }
    without = len(_sewer_account_ids() - averages.keys())
    with transaction.atomic():
        run = SewerCapRun.objects.create(
            year=year,
            months=",".join(str(m) for m in sorted(months, key=lambda m: (m < 7, m))),
            accounts_capped=len(averages),
            accounts_without_winter=without,
            ran_at=timezone.now(),
            ran_by=actor if getattr(actor, "pk", None) else None,
        )
        replaced, _per_model = SewerCap.objects.filter(year=year).delete()
        caps = (
            SewerCap(account_id=a, year=year, cap_ccf=cap, winter_bills=n, run=run)
            for a, (cap, n) in averages.items()
        )
        SewerCap.objects.bulk_create(caps, batch_size=_BATCH)
        audit_record(
            actor=actor,
            action="rates.sewer_caps.recompute",
            subject=run,
            after={
                "year": year,
                "winter": winter,
                "accounts_capped": len(averages),
                "accounts_without_winter": without,
                "caps_replaced": replaced,
            },
            reason=f"Yearly winter-average sewer caps from July {year}",
        )
    return run


def sewer_caps_in_force(*, account_ids: list[int], on: date) -> dict[int, Decimal]:
    """Each account's cap on `on`: the latest year computed up to the cap year in force.

    Accounts without one are absent (their bills use the schedule's default cap). A bill
    run asks once per chunk: one cheap probe when no cap is in force at all (a district that
    does not cap sewer), else one query with the ids as an array on PostgreSQL (an IN list of
    thousands of placeholders costs more to plan than to run) and lists of
    `_IDS_PER_QUERY` on SQLite (its limit on query parameters).
    """
    year = cap_year_on(on)
    if not account_ids or not SewerCap.objects.filter(year__lte=year).exists():
        return {}
    table = SewerCap._meta.db_table
    sql = (
        f"SELECT account_id, CAST(cap_ccf AS TEXT) FROM {table}"
        f" WHERE year <= {int(year)} AND account_id {{in_}} ORDER BY account_id, year DESC"
    )
    found: dict[int, Decimal] = {}
    for account_id, cap in select_in(sql, list(account_ids), chunk=_IDS_PER_QUERY):
        found.setdefault(account_id, Decimal(cap))
    return found
