"""The demo's history as plain data: periods, rate documents, reads and payers."""

from __future__ import annotations

import itertools
import random
from datetime import date
from decimal import Decimal

import pytest

from cistern.demo.domain.district import district_plan
from cistern.demo.domain.payers import Payer, payers_for, payment_for
from cistern.demo.domain.periods import cycle_periods
from cistern.demo.domain.rate_book import rate_book
from cistern.demo.domain.usage import CURRENT_KINDS, planned_reads
from cistern.rates.domain import BillingPeriod, RatingAttributes, VolumeUnit
from cistern.rates.domain.engine import rate_bill
from cistern.rates.serialization import version_from_dict

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("read_day", "frequency", "months", "current", "periods"),
    [
        (9, "monthly", 3, (date(2026, 10, 10), date(2026, 11, 9)), 3),
        (2, "monthly", 24, (date(2026, 10, 3), date(2026, 11, 2)), 24),
        (12, "bimonthly", 24, (date(2026, 8, 13), date(2026, 10, 12)), 12),
        (23, "monthly", 0, (date(2026, 10, 24), date(2026, 11, 23)), 0),
    ],
)
def test_the_current_period_ends_at_the_latest_read_day_and_the_history_tiles_before_it(
    read_day, frequency, months, current, periods
):
    cycle = cycle_periods(
        read_day=read_day, frequency=frequency, today=TODAY, history_months=months
    )

    assert (cycle.current.first_day, cycle.current.last_day) == current
    assert len(cycle.history) == periods
    for earlier, later in itertools.pairwise(cycle.periods):
        assert (later.first_day - earlier.last_day).days == 1
    assert cycle.periods[0].first_day.toordinal() == cycle.opening_read.toordinal() + 1


def test_every_rate_version_reads_back_and_bills_every_class_it_serves():
    for spec in rate_book(first_on=date(2024, 7, 1), change_on=date(2025, 12, 1)):
        versions = [version_from_dict(d, version_id=str(n)) for n, d in enumerate(spec.versions)]
        assert versions[0].resolution_number != versions[1].resolution_number
        for cls in spec.classes or ("sfr", "commercial"):
            bill = rate_bill(
                attributes=RatingAttributes(customer_class=cls, meter_size='1"', dwelling_units=3),
                usage=Decimal(14),
                unit=VolumeUnit.CCF,
                period=BillingPeriod(date(2025, 11, 10), date(2025, 12, 10)),
                versions=versions,
            )
            assert sum(line.amount_cents for line in bill.lines) > 0, (spec.name, cls)
            assert {line.version_id for line in bill.lines} == {"0", "1"}


def test_registers_only_move_forward_except_the_current_periods_planned_misreads():
    plan = district_plan(accounts=600, seed=3, today=TODAY)
    periods = [
        cycle_periods(read_day=c.read_day, frequency=c.frequency, today=TODAY, history_months=6)
        for c in plan.cycles
    ]

    meters = planned_reads(plan, periods)

    kinds = {read.kind for meter in meters for read in meter.reads}
    assert set(CURRENT_KINDS) - {"missed"} <= kinds
    for meter in meters:
        history = [r for r in meter.reads if r.kind not in ("negative", "rollover")]
        values = [r.raw_value for r in history]
        assert values == sorted(values), meter.premise
        assert len({r.read_on for r in meter.reads}) == len(meter.reads)


def test_a_payment_lands_on_a_business_day_and_never_after_the_payer_stopped():
    closed = {date(2026, 7, 3)}
    rng = random.Random(1)
    stopped = Payer("stopped", date(2026, 7, 10), money_order=False)

    payments = [
        payment_for(stopped, rng, bill_date=date(2026, 6, 20 + n), total_cents=9_000, closed=closed)
        for n in range(8)
    ]

    for payment in filter(None, payments):
        assert payment.deposit_date.weekday() < 5
        assert payment.deposit_date not in closed
        assert payment.deposit_date < date(2026, 7, 10)
    assert payment_for(stopped, rng, bill_date=TODAY, total_cents=0, closed=closed) is None


def test_payers_are_the_same_for_the_same_seed_and_most_pay_on_time():
    first = payers_for(2_000, seed=4, today=TODAY)

    assert first == payers_for(2_000, seed=4, today=TODAY)
    assert sum(p.profile == "prompt" for p in first) > 1_300
    assert any(p.profile == "stopped" for p in first)
