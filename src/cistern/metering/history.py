"""An installation's billable read history, shaped for validation and estimates.

``billable_reads_before`` reads one installation's history (read validation);
``billable_history_before`` reads many in one query (a bill-run chunk estimating the
accounts that have no read): the same reads, as plain (read date, volume) pairs.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Context, Decimal
from functools import lru_cache
from typing import NamedTuple, Protocol

from django.db import connection

from cistern.metering.domain.estimation import UsagePeriod, baseline_per_day
from cistern.metering.models import MeterInstallation, MeterRead

HISTORY_READS = 16  # a little over a year of monthly reads
BILLABLE_REVIEWS = (MeterRead.Review.ACCEPTED.value, MeterRead.Review.RELEASED.value)


class DatedVolume(Protocol):
    @property
    def read_on(self) -> date: ...
    @property
    def volume(self) -> Decimal | None: ...


class HistoryRead(NamedTuple):
    """A billable read as estimates use it: its date and stored volume."""

    read_on: date
    volume: Decimal | None


def billable_reads_before(installation: MeterInstallation, moment: datetime) -> list[MeterRead]:
    """The latest billable reads before ``moment``, oldest first."""
    reads = (
        MeterRead.objects.filter(installation=installation, read_at__lt=moment)
        .filter(review__in=BILLABLE_REVIEWS)
        .order_by("-read_at")[:HISTORY_READS]
    )
    return list(reversed(reads))


# Ties on read_at go by id, newest first, in both directions of the window.
_HISTORY_SQL = f"""
    SELECT installation_id, read_on, volume FROM (
        SELECT installation_id, read_on, volume, read_at, id, ROW_NUMBER() OVER (
            PARTITION BY installation_id ORDER BY read_at DESC, id DESC
        ) AS newest
        FROM metering_meterread
        WHERE read_at < %s AND review IN ('{BILLABLE_REVIEWS[0]}', '{BILLABLE_REVIEWS[1]}')
          AND installation_id IN ({{ids}})
    ) latest
    WHERE newest <= {HISTORY_READS}
    ORDER BY installation_id, read_at, id
"""
_IDS_PER_QUERY = 500


def billable_history_before(
    installation_ids: Sequence[int], moment: datetime
) -> dict[int, list[HistoryRead]]:
    """``billable_reads_before`` for many installations at once, as (read date, volume)."""
    at = MeterRead._meta.get_field("read_at").get_db_prep_value(moment, connection)
    found: dict[int, list[HistoryRead]] = defaultdict(list)
    with connection.cursor() as cursor:
        for start in range(0, len(installation_ids), _IDS_PER_QUERY):
            part = list(installation_ids[start : start + _IDS_PER_QUERY])
            cursor.execute(_HISTORY_SQL.format(ids=", ".join(["%s"] * len(part))), [at, *part])
            for installation_id, read_on, volume in cursor.fetchall():
                found[installation_id].append(HistoryRead(read_on, stored_decimal(volume)))
    return found


_FROM_FLOAT = Context(prec=15).create_decimal_from_float
_FOUR_PLACES = Decimal("0.0001")


def stored_decimal(value: object) -> Decimal | None:
    """A 4-place decimal column as the ORM returns it (SQLite hands back an int or float)."""
    if value is None or isinstance(value, Decimal):
        return value
    return _from_number(value)  # type: ignore[arg-type]


@lru_cache(maxsize=65_536)
def _from_number(value: float) -> Decimal:
    """As Django's SQLite converter does it: 15 significant digits, then the column's places.
    Cached: a run reads a hundred thousand volumes but only a few hundred distinct ones."""
    return _FROM_FLOAT(value).quantize(_FOUR_PLACES)


def usage_periods(reads: Sequence[DatedVolume]) -> list[UsagePeriod]:
    """Consecutive billable reads as periods of use (their stored volume)."""
    periods = []
    for earlier, later in itertools.pairwise(reads):
        if later.volume is not None:
            periods.append(UsagePeriod(earlier.read_on, later.read_on, later.volume))
    return periods


def installation_baseline(reads: list[MeterRead], *, start: date, end: date) -> Decimal | None:
    return baseline_per_day(usage_periods(reads), start=start, end=end)
