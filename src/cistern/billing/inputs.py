"""What the bill of each account in a chunk is computed from, loaded in a few queries.

Usage is the sum of the volumes of the account's billable reads dated in the period
(first to last service day, inclusive), over every meter installed at the premise in the
period (a change-out bills both meters), converted to the unit of the newest meter. With no
billable read, usage is estimated from the installation's history
(`metering.domain.estimation`) and the bill is marked estimated. Held reads and reads
waiting for a reread are reported, never billed.

True-up: a read's volume is the use since the previous billable read, so the first actual
read after estimated bills also covers the estimated periods. What those bills already
billed (the trailing run of estimated bills before this period) is subtracted; when the
estimates exceeded the reads, this bill's usage is zero and the excess is reported.

Rows are read with plain SQL as tuples, never as model instances: a bill run reads a
hundred thousand accounts, premises, meters and reads, and building a Django instance for
each cost more than everything else in the calculation. One query per table per chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from cistern.billing.attributes import rating_attributes
from cistern.billing.domain.checks import HISTORY_BILLS
from cistern.customers.models import Account
from cistern.metering.domain.estimation import estimate_volume
from cistern.metering.history import billable_history_before, stored_decimal, usage_periods
from cistern.metering.models import MeterRead
from cistern.rates.domain import RatingAttributes, VolumeUnit, convert
from cistern.rates.et import et_for_period
from cistern.rates.sewer_caps import sewer_caps_in_force

BILLABLE_STATUSES = ("active", "suspended", "locked_off")
BILLABLE_REVIEWS = frozenset((MeterRead.Review.ACCEPTED.value, MeterRead.Review.RELEASED.value))
WAITING_REVIEWS = frozenset((MeterRead.Review.HELD.value, MeterRead.Review.REREAD.value))
IDS_PER_QUERY = 900  # SQLite: ids per IN list (PostgreSQL takes them all as one array)
_ZERO = Decimal(0)
_UNITS = {unit.value: unit for unit in VolumeUnit}  # a dict lookup, not an Enum call per read


class AccountRow(NamedTuple):
    """An account and the premise values its rating attributes come from.

    Decimal columns may arrive as floats (SQLite through a raw cursor); `inputs_for` reads
    them with `stored_decimal`.
    """

    account_id: int
    premise_id: int
    premise_class: str
    dwelling_units: int
    in_district: bool
    household_size: int = 0
    irrigated_area_sqft: int = 0
    landscape_factor: Decimal | float | None = None
    et_zone: str = ""
    strength_class: str = ""
    budget_variance_ccf: Decimal | float | int = 0


@dataclass(slots=True)
class AccountInputs:
    account_id: int
    attrs: RatingAttributes
    services: frozenset[str]
    usage: Decimal = _ZERO
    unit: VolumeUnit = VolumeUnit.CCF
    estimated: bool = False
    read_ids: list[int] = field(default_factory=list)
    waiting_read_ids: list[int] = field(default_factory=list)
    no_estimate: bool = False  # no read and no history to estimate from
    # Use already billed on estimates since the last bill on actual reads (true-up), in `unit`.
    estimated_before: Decimal = _ZERO
    over_estimated: Decimal = _ZERO  # how far estimates exceeded the reads (not credited)
    recent_totals: list[int] = field(default_factory=list)  # newest posted bills' totals


def cycle_accounts(*, cycle_id: int, first_day: date, last_day: date) -> Q:
    """The accounts a cycle bills for a period: billable status, service overlapping it."""
    return Q(
        premise__cycle_id=cycle_id,
        status__in=BILLABLE_STATUSES,
        start_date__lte=last_day,
    ) & (Q(end_date__isnull=True) | Q(end_date__gte=first_day))


# The columns and conditions of a chunk's accounts (``AccountRow`` order); the parameters
# are the cycle, the last and first days, and the chunk's first and last account ids.
_CYCLE_ACCOUNTS_SELECT = """
    SELECT a.id, a.premise_id, p.premise_class, p.dwelling_units, p.in_district,
        p.household_size, p.irrigated_area_sqft, p.landscape_factor, p.et_zone,
        p.strength_class, p.budget_variance_ccf
"""
_CYCLE_ACCOUNTS_WHERE = f"""
    WHERE p.cycle_id = %s AND a.status IN {BILLABLE_STATUSES!r} AND a.start_date <= %s
      AND (a.end_date IS NULL OR a.end_date >= %s) AND a.id BETWEEN %s AND %s
    ORDER BY a.id
"""
_CYCLE_ACCOUNTS_SQL = (
    f"{_CYCLE_ACCOUNTS_SELECT}"
    " FROM customers_account a JOIN customers_premise p ON p.id = a.premise_id"
    f"{_CYCLE_ACCOUNTS_WHERE}"
)
# PostgreSQL: the same rows, with the premises bounded by the range of the premise ids of the
# accounts in the id range (two more parameters first: that range of account ids). ``+ 0``
# keeps MIN and MAX to those accounts, not a walk of the premise index. Joined on the cycle
# alone, PostgreSQL hashed every premise of the cycle for each chunk: at 1,000,000 accounts
# 220,000 premises, 125 ms a chunk; bounded, 11 ms.
_CYCLE_ACCOUNTS_PG_SQL = (
    f"{_CYCLE_ACCOUNTS_SELECT}"
    " FROM (SELECT MIN(premise_id + 0) AS low, MAX(premise_id + 0) AS high"
    " FROM customers_account WHERE id BETWEEN %s AND %s) r"
    " JOIN customers_premise p ON p.id BETWEEN r.low AND r.high"
    " JOIN customers_account a ON a.premise_id = p.id"
    f"{_CYCLE_ACCOUNTS_WHERE}"
)


def cycle_account_rows(
    *, cycle_id: int, first_day: date, last_day: date, first_id: int, last_id: int
) -> list[AccountRow]:
    """``cycle_accounts`` with ids in [first_id, last_id], as rows, by id."""
    params = [cycle_id, last_day, first_day, first_id, last_id]
    sql = _CYCLE_ACCOUNTS_SQL
    if connection.vendor == "postgresql":
        sql, params = _CYCLE_ACCOUNTS_PG_SQL, [first_id, last_id, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(map(AccountRow._make, cursor.fetchall()))


def load_inputs(
    accounts: list[Account], *, first_day: date, last_day: date, estimate: bool = True
) -> list[AccountInputs]:
    """Inputs for each account (premise must be select_related), in the order given."""
    rows = [_account_row(a) for a in accounts]
    return inputs_for(rows, first_day=first_day, last_day=last_day, estimate=estimate)


def _account_row(account: Account) -> AccountRow:
    p = account.premise
    return AccountRow(
        account.pk, p.pk, p.premise_class, p.dwelling_units, p.in_district, p.household_size,
        p.irrigated_area_sqft, p.landscape_factor, p.et_zone, p.strength_class,
        p.budget_variance_ccf,
    )  # fmt: skip


def inputs_for(
    rows: Sequence[AccountRow], *, first_day: date, last_day: date, estimate: bool = True
) -> list[AccountInputs]:
    """Inputs for each account row, in the order given: seven queries whatever the count.

    The ET of every zone over the period and the sewer caps in force on its last day are
    read once for all the rows.
    """
    account_ids = [r.account_id for r in rows]
    installs = _installations({r.premise_id for r in rows}, first_day, last_day)
    reads = _reads([i[1] for group in installs.values() for i in group], first_day, last_day)
    services = _services(account_ids, first_day, last_day)
    history = _posted_history(account_ids, first_day)
    et = et_for_period(first_day=first_day, last_day=last_day) if rows else {}
    caps = sewer_caps_in_force(account_ids=account_ids, on=last_day) if rows else {}
    result = []
    to_estimate: list[tuple[AccountInputs, int]] = []
    for row in rows:
        group = installs.get(row.premise_id, ())
        newest = group[-1] if group else None
        inputs = AccountInputs(
            account_id=row.account_id,
            attrs=rating_attributes(
                row.premise_class, newest[2] if newest else None, row.dwelling_units,
                bool(row.in_district), row.household_size, row.irrigated_area_sqft,
                stored_decimal(row.landscape_factor), et.get(row.et_zone, _ZERO),
                row.strength_class, caps.get(row.account_id),
                stored_decimal(row.budget_variance_ccf),
            ),
            services=services.get(row.account_id, frozenset()),
        )  # fmt: skip
        past = history.get(row.account_id)
        if past is not None:
            inputs.recent_totals = past.totals
        if newest is not None:
            _usage(inputs, group, reads)
            if inputs.read_ids:
                if past is not None and past.estimated:
                    _true_up(inputs, past.estimated)
            elif estimate:
                to_estimate.append((inputs, newest[1]))
        result.append(inputs)
    if to_estimate:
        _estimate(to_estimate, first_day, last_day)
    return result


# --- queries: one per table, ids as IN lists (SQLite) or one array (PostgreSQL) ------------


def select_by_ids(
    sql: str, params: list[Any], ids: Sequence[int], *, column: str | None = None
) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (whose last condition is ``{in_}``) for ``params`` and then ``ids``.

    PostgreSQL takes the ids as one array literal, built here (the driver adapting a list
    inspects every id). Not ``IN (SELECT unnest(...))``: faster where the planner gets it
    right, but a table whose statistics are stale (reads loaded just before the run) can
    be planned as the outer loop of a nested loop over the array: quadratic.

    ``column`` (the one ``{in_}`` tests) also bounds it by the ids' lowest and highest, on
    PostgreSQL: a chunk's ids lie in a narrow range, which the planner reads as a narrow
    index scan. Given 5,000 ids alone it estimates their index probes dearer than reading
    the whole table, and at 1,000,000 accounts it read every installation (and, during a
    run, every bill) once per chunk: 130 ms a chunk where the range takes a few.
    """
    if not ids:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            array = "{" + ",".join(map(str, ids)) + "}"
            in_, bounds = "= ANY(%s::bigint[])", []
            if column is not None:
                in_, bounds = f"{in_} AND {column} BETWEEN %s AND %s", [min(ids), max(ids)]
            cursor.execute(sql.format(in_=in_), [*params, array, *bounds])
            return list(cursor.fetchall())
        found: list[tuple[Any, ...]] = []
        ids = list(ids)
        for start in range(0, len(ids), IDS_PER_QUERY):
            part = ids[start : start + IDS_PER_QUERY]
            cursor.execute(sql.format(in_=f"IN ({', '.join(['%s'] * len(part))})"), params + part)
            found.extend(cursor.fetchall())
        return found


def _grouped(rows: Sequence[tuple[Any, ...]]) -> dict[Any, list[tuple[Any, ...]]]:
    """The rows in lists by their first value, each list in the order of ``rows``."""
    grouped: dict[Any, list[tuple[Any, ...]]] = {}
    for row in rows:
        found = grouped.get(row[0])
        if found is None:
            grouped[row[0]] = [row]
        else:
            found.append(row)
    return grouped


# (premise id, installation id, meter size, meter unit) per premise, oldest first.
Installation = tuple[int, int, str, str]


def _installations(
    premise_ids: set[int], first_day: date, last_day: date
) -> dict[int, list[Installation]]:
    sql = """
        SELECT i.premise_id, i.id, m.size, m.unit
        FROM metering_meterinstallation i JOIN metering_meter m ON m.id = i.meter_id
        WHERE i.installed_on <= %s AND (i.removed_on IS NULL OR i.removed_on >= %s)
          AND i.premise_id {in_}
        ORDER BY i.installed_on, i.id
    """
    return _grouped(
        select_by_ids(sql, [last_day, first_day], list(premise_ids), column="i.premise_id")
    )


# (installation id, read id, review, volume as stored) per installation, in read order.
Read = tuple[int, int, str, Decimal | float | int | None]


def _reads(install_ids: list[int], first_day: date, last_day: date) -> dict[int, list[Read]]:
    sql = """
        SELECT installation_id, id, review, volume FROM metering_meterread
        WHERE read_on >= %s AND read_on <= %s AND installation_id {in_}
        ORDER BY read_at, id
    """
    return _grouped(
        select_by_ids(sql, [first_day, last_day], install_ids, column="installation_id")
    )


def _services(account_ids: list[int], first_day: date, last_day: date) -> dict[int, frozenset[str]]:
    sql = """
        SELECT account_id, service FROM customers_accountservice
        WHERE started_on <= %s AND (ended_on IS NULL OR ended_on >= %s) AND account_id {in_}
    """
    shared: dict[frozenset[str], frozenset[str]] = {}  # equal sets -> one object
    found = {}
    rows_by_account = _grouped(
        select_by_ids(sql, [last_day, first_day], account_ids, column="account_id")
    )
    for account_id, rows in rows_by_account.items():
        services = frozenset([service for _account, service in rows])
        found[account_id] = shared.setdefault(services, services)
    return found


@dataclass(slots=True)
class _Past:
    totals: list[int] = field(default_factory=list)  # the newest posted bills' totals
    # (usage, unit) of the posted estimated bills since the last actual one, newest first.
    estimated: list[tuple[Decimal, str]] = field(default_factory=list)


# Per account, only the rows the checks and the true-up read: the HISTORY_BILLS newest posted
# bills, and the trailing run of estimated bills (no actual bill at or after it). Years of
# history stay in the database.
_POSTED_HISTORY_SQL = f"""
    SELECT account_id, usage, usage_unit, total_cents, newest, actual_since FROM (
        SELECT account_id, usage, usage_unit, total_cents, period_end, id,
            ROW_NUMBER() OVER newer_first AS newest,
            SUM(CASE WHEN estimated THEN 0 ELSE 1 END) OVER newer_first AS actual_since
        FROM billing_bill
        WHERE status = 'posted' AND period_end < %s AND account_id {{in_}}
        WINDOW newer_first AS (
            PARTITION BY account_id ORDER BY period_end DESC, id DESC ROWS UNBOUNDED PRECEDING
        )
    ) history
    WHERE newest <= {HISTORY_BILLS} OR actual_since = 0
    ORDER BY account_id, period_end DESC, id DESC
"""


def _posted_history(account_ids: list[int], first_day: date) -> dict[int, _Past]:
    """Per account, its posted bills before the period: for the checks and the true-up."""
    found: dict[int, _Past] = {}
    for account_id, usage, unit, total, newest, actual_since in select_by_ids(
        _POSTED_HISTORY_SQL, [first_day], account_ids, column="account_id"
    ):
        past = found.get(account_id)
        if past is None:
            past = found[account_id] = _Past()
        if newest <= HISTORY_BILLS:
            past.totals.append(total)
        if actual_since == 0:
            past.estimated.append((stored_decimal(usage) or _ZERO, unit))
    return found


# --- per account ----------------------------------------------------------------------------


def _usage(
    inputs: AccountInputs, group: Sequence[Installation], reads: dict[int, list[Read]]
) -> None:
    unit = _UNITS[group[-1][3]]
    inputs.unit = unit
    total = _ZERO
    for _premise, install_id, _size, meter_unit in group:
        found = reads.get(install_id)
        if found is None:
            continue
        read_unit = _UNITS[meter_unit]
        for _install, read_id, review, volume in found:
            if review in WAITING_REVIEWS:
                inputs.waiting_read_ids.append(read_id)
            elif review in BILLABLE_REVIEWS:
                amount = stored_decimal(volume)
                if amount is not None:
                    total += amount if read_unit is unit else convert(amount, read_unit, unit)
                    inputs.read_ids.append(read_id)
    inputs.usage = total


def _true_up(inputs: AccountInputs, estimated: list[tuple[Decimal, str]]) -> None:
    billed = sum(
        (convert(usage, VolumeUnit(unit or inputs.unit.value), inputs.unit)
         for usage, unit in estimated),
        _ZERO,
    )  # fmt: skip
    if not billed:
        return
    inputs.estimated_before = billed
    if billed > inputs.usage:
        inputs.over_estimated = billed - inputs.usage
        inputs.usage = _ZERO
    else:
        inputs.usage -= billed


def _estimate(todo: list[tuple[AccountInputs, int]], first_day: date, last_day: date) -> None:
    """Estimate each account's usage from its newest installation's history (one query)."""
    moment = timezone.make_aware(datetime.combine(first_day, time.min))
    histories = billable_history_before([install_id for _inputs, install_id in todo], moment)
    end = date.fromordinal(last_day.toordinal() + 1)
    for inputs, install_id in todo:
        history = usage_periods(histories.get(install_id, []))
        volume = estimate_volume(history, start=first_day, end=end)
        inputs.estimated = True
        if volume is None:
            inputs.no_estimate = True
        else:
            inputs.usage = volume
