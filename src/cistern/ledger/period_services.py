"""Accounting periods: calendar months that Finance closes, in order (I9).

A period row is created open the first time anything posts into its month (or when
Finance closes it). Posting locks the period row, and closing locks it too, so a post and
a close of the same month never interleave: either the post commits before the close, or
it sees the period closed and is refused.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Subquery
from django.utils import timezone

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.ledger.domain.periods import is_closed, month_end, month_start
from cistern.ledger.models import AccountingPeriod

PERIOD_CLOSED = (
    "The accounting period for {day} is closed. Post with an effective date in an open "
    "period (after {closed_end})."
)
PERIOD_NOT_ENDED = "{month} has not ended yet. A period can be closed after its last day."
PERIOD_EARLIER_OPEN = "Close {earlier} first: periods are closed in order."
PERIOD_ALREADY_CLOSED = "{month} is already closed."


def latest_closed_end() -> date | None:
    """The last day of the latest closed period; every date up to it is closed."""
    return AccountingPeriod.objects.filter(closed_at__isnull=False).aggregate(end=Max("end_date"))[
        "end"
    ]


def accounting_period_ensure(*, day: date) -> AccountingPeriod:
    """The period row of ``day``'s month, created open if missing (safe under concurrency)."""
    start = month_start(day)
    period = AccountingPeriod.objects.filter(start_date=start).first()
    if period is not None:
        return period
    try:
        with transaction.atomic():
            return AccountingPeriod.objects.create(start_date=start, end_date=month_end(day))
    except IntegrityError:
        return AccountingPeriod.objects.get(start_date=start)


def period_lock_open(day: date) -> AccountingPeriod:
    """Lock ``day``'s period for the rest of the transaction; refuse if it is closed.

    One query in the usual case: the period row, locked, with the end of the latest closed
    period read alongside it (a period row can be open yet lie before a closed month when
    it was created after that close, for a month that had no activity).
    """
    period = _locked_period(day)
    if period is None:
        accounting_period_ensure(day=day)
        period = _locked_period(day)
    closed_end = period.closed_end
    if period.is_closed or is_closed(day=day, latest_closed_end=closed_end):
        raise ServiceError(
            PERIOD_CLOSED.format(day=day.isoformat(), closed_end=closed_end),
            field="effective_date",
        )
    return period


def _locked_period(day: date) -> AccountingPeriod | None:
    latest = AccountingPeriod.objects.filter(closed_at__isnull=False).order_by("-end_date")
    found = AccountingPeriod.objects.filter(start_date=month_start(day)).annotate(
        closed_end=Subquery(latest.values("end_date")[:1])
    )
    if connection.vendor == "postgresql":
        # FOR SHARE: posters (bill-run chunks on several processes, payments) do not wait
        # for one another, while closing the month (FOR UPDATE) still waits for them all
        # and a poster that waited on a close sees the row closed.
        sql, params = found.query.sql_with_params()
        return next(iter(AccountingPeriod.objects.raw(f"{sql} FOR SHARE", params)), None)
    return found.select_for_update().first()


def period_closed_message(day: date) -> str | None:
    """Why nothing can post on ``day`` (its period is closed), or None; takes no lock."""
    closed_end = latest_closed_end()
    if is_closed(day=day, latest_closed_end=closed_end):
        return PERIOD_CLOSED.format(day=day.isoformat(), closed_end=closed_end)
    return None


def accounting_period_close(
    *, period: AccountingPeriod | date, actor: Any, today: date | None = None
) -> AccountingPeriod:
    """Close a month (a period row or any date in it). Closing is final: corrections are
    posted in an open period. Earlier months that had activity must be closed first."""
    day = period.start_date if isinstance(period, AccountingPeriod) else period
    today = today or timezone.localdate()
    with transaction.atomic():
        row = accounting_period_ensure(day=day)
        row = AccountingPeriod.objects.select_for_update().get(pk=row.pk)
        label = f"{row.start_date:%Y-%m}"
        if row.is_closed:
            raise ServiceError(PERIOD_ALREADY_CLOSED.format(month=label))
        if row.end_date >= today:
            raise ServiceError(PERIOD_NOT_ENDED.format(month=label))
        earlier = (
            AccountingPeriod.objects.filter(closed_at__isnull=True, start_date__lt=row.start_date)
            .order_by("start_date")
            .first()
        )
        if earlier is not None:
            raise ServiceError(PERIOD_EARLIER_OPEN.format(earlier=f"{earlier.start_date:%Y-%m}"))
        row.closed_at = timezone.now()
        row.closed_by = actor if getattr(actor, "pk", None) else None
        row.save(update_fields=["closed_at", "closed_by"])
        audit_record(
            actor=actor,
            action="ledger.period.close",
            subject=row,
            before={"closed_at": None},
            after={"closed_at": row.closed_at.isoformat()},
        )
    return row
