"""A chunk's inputs read as plain rows, rated once per distinct input, written as rows.

The calculation reads a whole chunk in a few queries and never builds a model instance per
account; these tests pin that the rows it reads and writes are exactly what the models say.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from cistern.billing.calculation import RatedLines
from cistern.billing.inputs import AccountRow, inputs_for, load_inputs
from cistern.billing.lines import LINE_FIELDS, bill_line_rows, line_rows, line_values
from cistern.billing.models import Bill, BillLine
from cistern.billing.rating import RaterSet
from cistern.billing.services import bill_run_calculate, bill_run_create
from cistern.customers.models import Account
from cistern.metering.history import billable_history_before, billable_reads_before
from cistern.metering.models import Meter, MeterInstallation, MeterRead
from cistern.rates.domain import VolumeUnit
from cistern.rates.services import rate_schedule_create, rate_version_create
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db
JAN_1, JAN_31 = date(2025, 1, 1), date(2025, 1, 31)


def _read(installation: MeterInstallation, on: date, volume: str, review: str = "accepted"):
    moment = datetime.combine(on, time(9), tzinfo=UTC)
    return MeterRead.objects.create(
        installation=installation, read_at=moment, read_on=on, raw_value=0,
        read_type="actual", volume=Decimal(volume), review=review, recorded_at=moment,
    )  # fmt: skip


def _row(acct: Account) -> AccountRow:
    premise = acct.premise
    return AccountRow(
        acct.pk, premise.pk, premise.premise_class, premise.dwelling_units, premise.in_district
    )


def _fields(item) -> tuple:
    return (
        item.account_id, item.attrs, item.services, item.usage, item.unit, item.estimated,
        item.read_ids, item.waiting_read_ids, item.no_estimate, item.estimated_before,
        item.over_estimated, item.recent_totals,
    )  # fmt: skip


def test_a_chunk_reads_each_account_as_it_would_be_read_alone(clerk, rates) -> None:
    # given accounts of every kind in one cycle
    cycle = makers.cycle()
    plain = makers.account(billing_cycle=cycle)
    plain_reads = [makers.read(plain, date(2025, 1, 15), "4.25"), makers.read(plain, JAN_31, 6)]
    waiting = makers.account(billing_cycle=cycle)
    held = makers.read(waiting, JAN_31, 9, review="held")
    estimated = makers.account(billing_cycle=cycle)
    makers.read(estimated, date(2024, 11, 30), 0)
    makers.read(estimated, date(2024, 12, 31), 31)
    no_history = makers.account(billing_cycle=cycle)
    no_meter = makers.account(billing_cycle=cycle, meter=False, services=("water",))
    changed = makers.account(billing_cycle=cycle)
    old = MeterInstallation.objects.get(premise=changed.premise)
    old.removed_on = date(2025, 1, 16)
    old.save()
    _read(old, date(2025, 1, 16), "1")  # 1 CCF on the old meter: 748 gallons
    gallons = Meter.objects.create(serial="GAL-1", size="1", unit="gal", status="installed")
    new = MeterInstallation.objects.create(
        meter=gallons, premise=changed.premise, installed_on=date(2025, 1, 16)
    )
    _read(new, JAN_31, "1496")
    accounts = [plain, waiting, estimated, no_history, no_meter, changed]

    # when the chunk is read at once
    together = inputs_for([_row(a) for a in accounts], first_day=JAN_1, last_day=JAN_31)

    # then each account reads as it does alone, and as the records say
    alone = [
        load_inputs([Account.objects.select_related("premise").get(pk=a.pk)],
                    first_day=JAN_1, last_day=JAN_31)[0]
        for a in accounts
    ]  # fmt: skip
    assert [_fields(i) for i in together] == [_fields(i) for i in alone]
    by_account = {i.account_id: i for i in together}
    assert by_account[plain.pk].usage == Decimal("10.25")
    assert by_account[plain.pk].read_ids == [r.pk for r in plain_reads]
    assert by_account[waiting.pk].waiting_read_ids == [held.pk]
    assert (by_account[estimated.pk].estimated, by_account[estimated.pk].usage) == (True, 31)
    assert by_account[no_history.pk].no_estimate
    assert by_account[no_meter.pk].services == frozenset({"water"})
    assert by_account[no_meter.pk].attrs.meter_size == '5/8"'
    assert (by_account[changed.pk].usage, by_account[changed.pk].unit) == (2244, VolumeUnit.GALLONS)
    assert by_account[changed.pk].attrs.meter_size == '1"'
    # equal attributes are one object, so the rating caches hit on identity
    assert by_account[plain.pk].attrs is by_account[waiting.pk].attrs


def test_history_for_many_installations_is_the_latest_sixteen_billable_reads_of_each(
    clerk, rates
) -> None:
    cycle = makers.cycle()
    accounts = [makers.account(billing_cycle=cycle) for _ in range(3)]
    installations = [MeterInstallation.objects.get(premise=a.premise) for a in accounts]
    day = date(2023, 1, 1)
    for n in range(20):
        day += timedelta(days=30)
        for k, installation in enumerate(installations):
            review = "held" if (n + k) % 7 == 0 else "accepted"
            _read(installation, day, str(n + k), review)
    moment = datetime.combine(date(2024, 12, 1), time.min, tzinfo=UTC)

    found = billable_history_before([i.pk for i in installations], moment)

    for installation in installations:
        expected = [(r.read_on, r.volume) for r in billable_reads_before(installation, moment)]
        assert len(expected) == 16
        assert [tuple(r) for r in found[installation.pk]] == expected


def test_equal_inputs_are_rated_once_and_match_the_engine_line_for_line(clerk, rates) -> None:
    cycle = makers.cycle()
    twins = [makers.account(billing_cycle=cycle) for _ in range(2)]
    for acct in twins:
        makers.read(acct, JAN_31, 12)
    first, second = inputs_for([_row(a) for a in twins], first_day=JAN_1, last_day=JAN_31)
    raters = RaterSet.for_period(period_end=JAN_31)
    rated = RatedLines(raters)

    total, prepared = rated.get(first, JAN_1, JAN_31)

    assert rated.get(second, JAN_1, JAN_31)[1] is prepared
    lines = raters.rate(
        attrs=first.attrs, services=first.services, usage=first.usage, unit=first.unit,
        first_day=JAN_1, last_day=JAN_31,
    )  # fmt: skip
    assert total == sum(c.line.amount_cents for c in lines) == 6400
    assert len(prepared) == len(line_rows(lines)) == 4


def test_a_line_label_with_tabs_backslashes_and_quotes_is_stored_exactly(clerk) -> None:
    manager = staff_user(Role.MANAGER)
    label = 'Base \\ charge\tfor 5/8" meter, "A"\\N'
    schedule = rate_schedule_create(name="Odd labels", service="water", classes=[], actor=manager)
    document = {
        **makers.WATER_DOCUMENT,
        "components": [{"kind": "fixed", "code": "base", "label": label, "flat": "20.00"}],
    }
    rate_version_create(schedule=schedule, document=document, actor=manager)
    cycle = makers.cycle()
    acct = makers.account(billing_cycle=cycle, services=("water",))
    read = makers.read(acct, JAN_31, 3)
    run = bill_run_create(
        cycle=cycle, period_start=JAN_1, period_end=JAN_31,
        bill_date=JAN_31, due_date=JAN_31 + timedelta(21), actor=clerk,
    )  # fmt: skip

    bill = bill_run_calculate(run=run, actor=clerk).bills.get()

    assert list(BillLine.objects.filter(bill=bill).values_list("label", flat=True)) == [label]
    assert bill.reads_used == [read.pk]
    assert line_values(bill)[0][:3] == (1, "base", label)


@pytest.mark.parametrize("volume", ["12.3456", "0.1000", "7", "1234567890.0001", "0.0003"])
def test_read_volumes_come_back_as_the_orm_gives_them(clerk, rates, volume) -> None:
    acct = makers.account(billing_cycle=makers.cycle())
    read = makers.read(acct, JAN_31, volume)

    (item,) = inputs_for([_row(acct)], first_day=JAN_1, last_day=JAN_31)

    stored = MeterRead.objects.values_list("volume", flat=True).get(pk=read.pk)
    assert item.usage == stored and str(item.usage) == str(stored)


def test_only_the_newest_bills_and_the_trailing_estimates_are_read_from_history(
    clerk, rates
) -> None:
    # given an account with a year of posted bills, the last two on estimated reads
    acct = makers.account(billing_cycle=makers.cycle())
    makers.read(acct, JAN_31, 20)
    start = date(2024, 1, 1)
    for month in range(12):
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        estimated = month in (3, 10, 11)  # an old estimate, then the trailing two
        Bill.objects.create(
            account=acct, period_start=start, period_end=end, bill_date=end, due_date=end,
            status=Bill.Status.POSTED, total_cents=1000 + month, usage=Decimal(month),
            usage_unit="ccf", estimated=estimated,
        )  # fmt: skip
        start = end + timedelta(days=1)

    (item,) = inputs_for([_row(acct)], first_day=JAN_1, last_day=JAN_31)

    # then the checks see the three newest totals, and the true-up the trailing estimates
    assert item.recent_totals == [1011, 1010, 1009]
    assert (item.estimated_before, item.usage) == (Decimal(21), Decimal(0))
    assert item.over_estimated == Decimal(1)


def _stored(value: object) -> object:
    """A line value as its column keeps it (decimals to the fields' 12 places)."""
    return value.quantize(Decimal("1E-12")) if isinstance(value, Decimal) else value


def test_each_stored_bill_carries_its_own_inputs_lines_and_exceptions(clerk, rates) -> None:
    # given accounts that share rating inputs and accounts that do not, one estimated,
    # calculated in chunks of three (bills and lines are written set-based per chunk)
    cycle = makers.cycle()
    accounts = []
    for volume in (12, 12, 3, 12, 40, 3, "7.5"):
        acct = makers.account(billing_cycle=cycle)
        makers.read(acct, JAN_31, volume)
        accounts.append(acct)
    estimated = makers.account(billing_cycle=cycle)
    makers.read(estimated, date(2024, 11, 30), 0)
    makers.read(estimated, date(2024, 12, 31), 31)
    accounts.append(estimated)
    run = bill_run_create(
        cycle=cycle, period_start=JAN_1, period_end=JAN_31,
        bill_date=JAN_31, due_date=JAN_31 + timedelta(21), actor=clerk,
    )  # fmt: skip

    bill_run_calculate(run=run, actor=clerk, chunk_size=3)

    # then every bill is its own account's, line for line as the engine rates it alone
    rows = [_row(a) for a in accounts]
    items = {i.account_id: i for i in inputs_for(rows, first_day=JAN_1, last_day=JAN_31)}
    raters = RaterSet.for_period(period_end=JAN_31)
    bills = list(Bill.objects.filter(run=run).order_by("account_id"))
    assert [b.account_id for b in bills] == sorted(items)
    for bill in bills:
        item = items[bill.account_id]
        lines = raters.rate(
            attrs=item.attrs, services=item.services, usage=item.usage, unit=item.unit,
            first_day=JAN_1, last_day=JAN_31,
        )  # fmt: skip
        expected = [
            tuple(_stored(getattr(row, f)) for f in LINE_FIELDS)
            for row in bill_line_rows(bill, lines)
        ]
        assert [tuple(map(_stored, row)) for row in line_values(bill)] == expected
        assert bill.total_cents == sum(row[14] for row in expected) > 0
        assert (bill.usage, bill.usage_unit, bill.estimated, bill.reads_used) == (
            item.usage, item.unit.value, item.estimated, item.read_ids,
        )  # fmt: skip
        assert (bill.status, bill.kind, bill.period_start, bill.due_date) == (
            "draft", "cycle", JAN_1, JAN_31 + timedelta(21),
        )  # fmt: skip
        assert (bill.held_reason, bill.cancelled_reason, bill.estimated_before) == ("", "", 0)
    # and the estimate's exception points at the estimated account's bill
    (flagged,) = run.exceptions.filter(kind="estimated")
    assert flagged.account_id == flagged.bill.account_id == estimated.pk
