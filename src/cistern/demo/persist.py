"""Write a planned demo district with bulk inserts.

A seed may bypass the per-record services for speed, but it writes exactly the rows those
services would: the same fields, the same one-current-row rules (one open mailing address,
one open meter per premise, one open flag and service of a kind per account).

Primary keys are assigned here (each table continues from its current highest id), so
children can point at parents without reading ids back; ``sequences_reset`` then moves
PostgreSQL's identity sequences past them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from cistern.billing.models import BillingCycle
from cistern.customers.models import (
    Customer,
    CustomerEmail,
    CustomerPhone,
    MailingAddress,
    Premise,
)
from cistern.demo.domain.plan import DistrictPlan
from cistern.metering.models import Meter, MeterInstallation, Route

CHUNK = 2000  # rows per executemany batch
SQLITE_ANALYSIS_ROWS = 2000  # rows sampled per index by ANALYZE (PRAGMA analysis_limit)


def raw_insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert ``rows`` (tuples in ``columns`` order, by field attname) into ``model``'s table.

    Django's ``bulk_create`` spends most of a seed's time building model instances, so this
    inserts plain tuples, preparing each value the way Django would for this database
    (dates, datetimes, decimals and JSON through the field). Every other column gets its
    field's default (``auto_now_add`` fields: now); a column without one must be given.
    Returns how many rows were inserted.
    """
    meta = model._meta
    given = [meta.get_field(name) for name in columns]
    given_names = {f.attname for f in given}
    filled = [f for f in meta.concrete_fields if f.attname not in given_names and not f.primary_key]
    fill_values = tuple(f.get_db_prep_save(_default(f), connection) for f in filled)
    preparers = [(i, p) for i, p in enumerate(map(_preparer, given)) if p is not None]
    names = ", ".join(connection.ops.quote_name(f.column) for f in (*given, *filled))
    table = connection.ops.quote_name(meta.db_table)
    prepared = (_prepared(row, preparers, fill_values) for row in rows)
    if connection.vendor == "postgresql":
        return _copy(f"COPY {table} ({names}) FROM STDIN", prepared)
    marks = ", ".join(["%s"] * (len(given) + len(filled)))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    count = 0
    with connection.cursor() as cursor:
        for batch in _batches(prepared):
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _copy(sql: str, rows: Iterable[tuple]) -> int:
    """PostgreSQL's COPY: one stream instead of a statement per row."""
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _default(field: models.Field) -> Any:
    if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
        return timezone.now()
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.blank and field.empty_strings_allowed:  # a text field left empty
        return ""
    raise ValueError(f"{field} has no default: give it a value")


def _preparer(field: models.Field) -> Callable[[Any], Any] | None:
    """How Django turns a value of ``field`` into what this database's driver takes."""
    ops = connection.ops
    # A district has a few thousand distinct dates over millions of values: remember them.
    if isinstance(field, models.DateTimeField):
        return lru_cache(maxsize=65536)(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return lru_cache(maxsize=65536)(ops.adapt_datefield_value)
    if isinstance(field, models.DecimalField):
        return lambda value: ops.adapt_decimalfield_value(
            value, field.max_digits, field.decimal_places
        )
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def _prepared(
    row: tuple, preparers: list[tuple[int, Callable[[Any], Any]]], fill_values: tuple
) -> tuple:
    if not preparers:
        return row + fill_values
    values = list(row)
    for index, prepare in preparers:
        if values[index] is not None:
            values[index] = prepare(values[index])
    return (*values, *fill_values)


def _batches(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


@contextmanager
def bulk_session() -> Iterator[None]:
    """On SQLite, a large page cache while bulk-loading (the default 2 MB thrashes the
    indexes of 100,000-row tables); restored afterwards. Nothing to do elsewhere."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MB
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def next_id(model: type[models.Model]) -> int:
    return int(model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def sequences_reset(models_written: Iterable[type[models.Model]]) -> None:
    """Move each table's id sequence past the ids written here (PostgreSQL; no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_written))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Ids:
    """Database ids of the plan's records, by plan index."""

    def __init__(self) -> None:
        self.cycles: list[int] = []
        self.routes: list[int] = []
        self.customer_base = 0
        self.premise_base = 0
        self.meter_base = 0
        self.account_base = 0

    def customer(self, index: int) -> int:
        return self.customer_base + index

    def premise(self, index: int) -> int:
        return self.premise_base + index

    def account(self, index: int) -> int:
        return self.account_base + index


def at_office_time(day: date, zone: ZoneInfo, minute: int = 8 * 60) -> datetime:
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)


def cycles_and_routes_write(plan: DistrictPlan, ids: Ids) -> None:
    for cycle in plan.cycles:
        row, _ = BillingCycle.objects.get_or_create(
            code=cycle.code,
            defaults={"name": cycle.name, "frequency": cycle.frequency, "read_day": cycle.read_day},
        )
        ids.cycles.append(row.pk)
    for route in plan.routes:
        row, _ = Route.objects.get_or_create(
            code=route.code, defaults={"name": route.name, "cycle_id": ids.cycles[route.cycle]}
        )
        ids.routes.append(row.pk)


def customers_write(plan: DistrictPlan, ids: Ids, zone: ZoneInfo) -> dict[str, int]:
    ids.customer_base = next_id(Customer)
    rows = (
        (
            ids.customer(i),
            c.kind,
            c.first_name,
            c.last_name,
            c.organization_name,
            c.display_name,
            c.language,
            c.returned_mail_on is not None,
            c.returned_mail_on,
        )
        for i, c in enumerate(plan.customers)
    )
    columns = (
        "id",
        "kind",
        "first_name",
        "last_name",
        "organization_name",
        "display_name",
        "preferred_language",
        "returned_mail",
        "returned_mail_on",
    )
    counts = {"customers": raw_insert(Customer, columns, rows)}
    counts["phones"] = raw_insert(
        CustomerPhone, ("customer_id", "number", "kind", "is_primary"), _phones(plan, ids)
    )
    counts["emails"] = raw_insert(
        CustomerEmail, ("customer_id", "address", "is_primary"), _emails(plan, ids)
    )
    counts["mailing_addresses"] = raw_insert(
        MailingAddress,
        ("customer_id", "line1", "line2", "city", "state", "postal_code", "valid_from"),
        _mailing(plan, ids, zone),
    )
    return counts


def _phones(plan: DistrictPlan, ids: Ids) -> Iterator[tuple]:
    for i, c in enumerate(plan.customers):
        for n, (number, kind) in enumerate(c.phones):
            yield (ids.customer(i), number, kind, n == 0)


def _emails(plan: DistrictPlan, ids: Ids) -> Iterator[tuple]:
    for i, c in enumerate(plan.customers):
        for n, address in enumerate(c.emails):
            yield (ids.customer(i), address, n == 0)


def _mailing(plan: DistrictPlan, ids: Ids, zone: ZoneInfo) -> Iterator[tuple]:
    for i, c in enumerate(plan.customers):
        a = c.mailing
        if a is None or c.since is None:
            raise ValueError(f"customer {i} was planned without a mailing address")
        valid_from = at_office_time(c.since, zone)
        yield (ids.customer(i), a.line1, a.line2, a.city, a.state, a.postal_code, valid_from)


_PREMISE_COLUMNS = (
    "id",
    "street_number",
    "street_name",
    "unit",
    "city",
    "state",
    "postal_code",
    "apn",
    "premise_class",
    "dwelling_units",
    "route_id",
    "read_sequence",
    "cycle_id",
)
_METER_COLUMNS = (
    "id",
    "serial",
    "make",
    "model",
    "size",
    "unit",
    "dials",
    "multiplier",
    "ami_endpoint_id",
    "status",
)
_MULTIPLIERS: dict[int, Decimal] = {1: Decimal("1"), 10: Decimal("10")}


def premises_write(plan: DistrictPlan, ids: Ids) -> dict[str, int]:
    ids.premise_base = next_id(Premise)
    ids.meter_base = next_id(Meter)
    route_cycle = [ids.cycles[r.cycle] for r in plan.routes]
    premises = (
        (
            ids.premise(i),
            p.street_number,
            p.street_name,
            p.unit,
            p.city,
            "CA",
            p.postal_code,
            p.apn,
            p.premise_class,
            p.dwelling_units,
            ids.routes[p.route],
            p.read_sequence,
            route_cycle[p.route],
        )
        for i, p in enumerate(plan.premises)
    )
    installed = Meter.Status.INSTALLED.value
    meters = (
        (
            ids.meter_base + i,
            m.serial,
            m.make,
            m.model,
            m.size,
            m.unit,
            m.dials,
            _MULTIPLIERS[m.multiplier],
            m.ami_endpoint_id,
            installed,
        )
        for i, m in enumerate(p.meter for p in plan.premises)
    )
    installations = (
        (ids.meter_base + i, ids.premise(i), p.meter.installed_on, p.meter.install_read)
        for i, p in enumerate(plan.premises)
    )
    return {
        "premises": raw_insert(Premise, _PREMISE_COLUMNS, premises),
        "meters": raw_insert(Meter, _METER_COLUMNS, meters),
        "installations": raw_insert(
            MeterInstallation,
            ("meter_id", "premise_id", "installed_on", "install_read"),
            installations,
        ),
    }


def change_outs_write(plan: DistrictPlan, ids: Ids) -> dict[str, int]:
    """The meters changed out during the history: retired, with their closed installation
    (the removal read is set when the reads are written)."""
    if not plan.change_outs:
        return {}
    first = next_id(Meter)
    retired = Meter.Status.RETIRED.value
    meters = (
        (first + n, m.serial, m.make, m.model, m.size, m.unit, m.dials,
         _MULTIPLIERS[m.multiplier], m.ami_endpoint_id, retired)
        for n, m in enumerate(c.old for c in plan.change_outs)
    )  # fmt: skip
    installations = (
        (first + n, ids.premise(c.premise), c.old.installed_on, c.old.install_read, c.day)
        for n, c in enumerate(plan.change_outs)
    )
    columns = ("meter_id", "premise_id", "installed_on", "install_read", "removed_on")
    return {
        "meters_changed_out": raw_insert(Meter, _METER_COLUMNS, meters),
        "changed_out_installations": raw_insert(MeterInstallation, columns, installations),
    }


def planner_statistics_refresh() -> None:
    """Give the query planner statistics on the tables the build just filled.

    Without them, the first screens and bill runs after a build plan queries over millions
    of new rows as if the tables were empty. SQLite samples each index
    (``analysis_limit``) so this stays a second or two at any size.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
        else:
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_ROWS}")
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")
