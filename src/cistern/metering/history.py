"""An installation's billable read history, shaped for validation and estimates."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

from cistern.metering.domain.estimation import UsagePeriod, baseline_per_day
from cistern.metering.models import MeterInstallation, MeterRead

HISTORY_READS = 16  # a little over a year of monthly reads


def billable_reads_before(installation: MeterInstallation, moment: datetime) -> list[MeterRead]:
    """The latest billable reads before ``moment``, oldest first."""
    reads = (
        MeterRead.objects.filter(installation=installation, read_at__lt=moment)
        .filter(review__in=[MeterRead.Review.ACCEPTED, MeterRead.Review.RELEASED])
        .order_by("-read_at")[:HISTORY_READS]
    )
    return list(reversed(reads))


def usage_periods(reads: list[MeterRead]) -> list[UsagePeriod]:
    """Consecutive billable reads as periods of use (their stored volume)."""
    periods = []
    for earlier, later in itertools.pairwise(reads):
        if later.volume is not None:
            periods.append(UsagePeriod(earlier.read_on, later.read_on, later.volume))
    return periods


def installation_baseline(reads: list[MeterRead], *, start: date, end: date) -> Decimal | None:
    return baseline_per_day(usage_periods(reads), start=start, end=end)
