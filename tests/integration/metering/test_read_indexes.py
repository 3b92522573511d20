"""A bill run reads each installation's reads of the period through the (installation,
read date) index (metering migration 0003): the read date bounds the index range, so
the installation's earlier reads are never fetched and filtered out."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cistern.billing.inputs import _reads
from cistern.metering.models import MeterInstallation, MeterRead

pytestmark = pytest.mark.django_db
PACIFIC = ZoneInfo("America/Los_Angeles")


def _plan(sql: str) -> str:
    """The plan of an executed query. PostgreSQL is told not to read whole tables, as it
    would for a few test rows: the plan then shows whether an index can answer it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET LOCAL enable_seqscan = on")
            return plan
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(row[-1] for row in cursor.fetchall())


def test_the_bill_runs_reads_query_bounds_the_read_date_in_the_index(installed_meter) -> None:
    # Given two years of monthly reads
    installation = MeterInstallation.objects.get(meter=installed_meter)
    for month in range(24):
        day = date(2024, 1, 15) + timedelta(days=30 * month)
        MeterRead.objects.create(
            installation=installation, read_at=datetime(day.year, day.month, day.day, 9,
            tzinfo=PACIFIC), read_on=day, raw_value=100 * month, read_type="actual",
            recorded_at=timezone.now(),
        )  # fmt: skip
    # When a bill run reads one month's
    with CaptureQueriesContext(connection) as queries:
        found = _reads([installation.pk], date(2025, 3, 1), date(2025, 3, 31))
    # Then it gets that month's read, through the index on (installation, read date)
    assert [row[1] for row in found[installation.pk]] == list(
        MeterRead.objects.filter(read_on__month=3, read_on__year=2025).values_list("pk", flat=True)
    )
    plan = _plan(queries[0]["sql"])
    assert "metering_read_install_day" in plan
    # the date is a condition on the index (PostgreSQL "Index Cond", SQLite "USING INDEX")
    conditions = [line for line in plan.splitlines() if "Index Cond" in line or "USING" in line]
    assert any("read_on" in line for line in conditions), plan
