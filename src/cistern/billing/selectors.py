"""Reads for the bill-run screens, the account page and the command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cistern.billing.models import Bill, BillException, BillRun


@dataclass(frozen=True)
class RunProgress:
    to_post: int  # bills that are or will be posted (draft + posted)
    posted: int
    held: int
    open_exceptions: int
    rate_per_second: float | None
    seconds_left: float | None

    @property
    def percent(self) -> int:
        return int(100 * self.posted / self.to_post) if self.to_post else 100


def run_progress(*, run: BillRun, now: datetime | None = None) -> RunProgress:
    counts = run.bills.aggregate(
        draft=Count("id", filter=Q(status=Bill.Status.DRAFT)),
        posted=Count("id", filter=Q(status=Bill.Status.POSTED)),
        held=Count("id", filter=Q(status=Bill.Status.HELD)),
    )
    open_count = run.exceptions.filter(resolution=BillException.Resolution.OPEN).count()
    to_post = counts["draft"] + counts["posted"]
    rate = left = None
    if run.post_started_at and counts["posted"]:
        end = run.posted_at or now or timezone.now()
        elapsed = max((end - run.post_started_at).total_seconds(), 0.001)
        rate = counts["posted"] / elapsed
        left = counts["draft"] / rate
    return RunProgress(to_post, counts["posted"], counts["held"], open_count, rate, left)


def bill_runs_recent(*, limit: int = 50) -> QuerySet[BillRun]:
    return BillRun.objects.select_related("cycle", "created_by")[:limit]


def run_exceptions(*, run: BillRun, only_open: bool = False) -> QuerySet[BillException]:
    rows = run.exceptions.select_related("account", "bill", "resolved_by", "bill__held_by")
    if only_open:
        rows = rows.filter(resolution=BillException.Resolution.OPEN)
    return rows.order_by("resolution", "account__number", "kind")


def bill_detail(*, bill_id: int) -> Bill | None:
    return (
        Bill.objects.select_related("account", "account__premise", "run", "journal_entry")
        .prefetch_related("lines", "lines__rate_version", "exceptions")
        .filter(pk=bill_id)
        .first()
    )


def account_bills(*, account_id: int) -> QuerySet[Bill]:
    """An account's bills, newest period first (cancelled ones included, marked)."""
    return Bill.objects.filter(account_id=account_id).order_by("-period_end", "-id")
