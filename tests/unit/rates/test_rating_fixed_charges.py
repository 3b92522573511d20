"""Fixed charges: by meter size, per dwelling unit, several components, installments,
fire lines, dormant meters, and proration of short and long periods."""

from datetime import date

import pytest

from cistern.rates.domain import (
    Applicability,
    District,
    FixedCharge,
    RatingError,
    VolumeUnit,
    rate_bill,
)
from tests.unit.rates.rating_cast import JULY, D, bill_for, cents_by_line, days_from, home, version

SERVICE = FixedCharge(
    code="SERVICE",
    label="Water service charge",
    by_meter={'5/8"': D("20.00"), '1"': D("33.33"), '2"': D("100.00")},
)


@pytest.mark.parametrize(("meter", "cents"), [('5/8"', 2000), ('1"', 3333), ('2"', 10000)])
def test_service_charge_follows_the_meter_size(meter: str, cents: int) -> None:
    # given a 30-day period, the version's nominal length
    # when a home with that meter is billed
    bill = bill_for(version(SERVICE), 7, account=home(meter_size=meter))
    # then it pays the table amount for its meter, unprorated
    assert cents_by_line(bill) == [("SERVICE", 0, cents)]
    assert bill.lines[0].proration == 1


def test_a_meter_size_missing_from_the_table_is_refused_with_its_name() -> None:
    with pytest.raises(RatingError, match="meter size '3\"'"):
        bill_for(version(SERVICE), 7, account=home(meter_size='3"'))


@pytest.mark.parametrize(
    ("days", "meter", "cents"),
    [
        (15, '5/8"', 1000),  # 20.00 x 15/30
        (10, '1"', 1111),  # 33.33 x 10/30 = 11.11 exactly
        (45, '5/8"', 3000),  # 20.00 x 45/30
        (31, '5/8"', 2067),  # 20.00 x 31/30 = 20.666.. half-up
        (61, '2"', 20333),  # 100.00 x 61/30 = 203.333..
    ],
)
def test_short_and_long_periods_prorate_fixed_charges_by_days(
    days: int, meter: str, cents: int
) -> None:
    period = days_from(date(2025, 7, 1), days)
    bill = bill_for(version(SERVICE), 7, account=home(meter_size=meter), period=period)
    assert bill.total_cents == cents
    assert bill.lines[0].days == days


@pytest.mark.parametrize(("days", "cents"), [(28, 2000), (31, 2000), (27, 1800), (32, 2133)])
def test_a_period_within_the_normal_range_is_billed_as_one_full_period(
    days: int, cents: int
) -> None:
    # given a monthly schedule whose normal months run 28 to 31 days
    schedule = version(SERVICE, normal_days=(28, 31))
    # when periods of various lengths are billed
    bill = bill_for(schedule, 7, period=days_from(date(2025, 2, 1), days))
    # then only lengths outside the range prorate, by days / 30
    assert bill.total_cents == cents


def test_a_charge_per_dwelling_unit_multiplies_by_the_units() -> None:
    per_unit = FixedCharge(code="SEWER", label="Sewer service", per_dwelling_unit=D("12.50"))
    bill = bill_for(version(per_unit), 0, account=home(dwelling_units=4))
    line = bill.lines[0]
    assert (line.unit, line.quantity, line.unit_price, line.amount_cents) == (
        "dwelling unit",
        4,
        D("12.50"),
        5000,
    )


def test_a_charge_by_meter_and_by_dwelling_unit_shows_both_parts() -> None:
    both = FixedCharge(
        code="SERVICE", label="Service", by_meter={'2"': D("100")}, per_dwelling_unit=D("5")
    )
    bill = bill_for(version(both), 0, account=home(meter_size='2"', dwelling_units=3))
    assert [(line.unit, line.amount_cents) for line in bill.lines] == [
        ("period", 10000),
        ("dwelling unit", 1500),
    ]


def test_several_fixed_components_each_make_a_line_and_fire_line_needs_a_fire_meter() -> None:
    # given service, system improvement, readiness-to-serve and a fire line charge
    schedule = version(
        SERVICE,
        FixedCharge(code="SYSTEM", label="System improvement", flat=D("7.25")),
        FixedCharge(code="RTS", label="Readiness to serve", by_meter={'5/8"': D("4.10")}),
        FixedCharge(
            code="FIRE",
            label="Private fire line",
            by_meter={'4"': D("45.00"), '6"': D("80.00")},
            meter_attribute="fire_meter_size",
        ),
    )
    # when a home without fire service and a shop with a 6-inch fire meter are billed
    home_bill = bill_for(schedule, 7)
    shop_bill = bill_for(schedule, 7, account=home(fire_meter_size='6"'))
    # then only the shop pays the fire line
    assert cents_by_line(home_bill) == [("SERVICE", 0, 2000), ("SYSTEM", 0, 725), ("RTS", 0, 410)]
    assert shop_bill.total_cents == 2000 + 725 + 410 + 8000


@pytest.mark.parametrize(
    ("annual", "installments", "unit_price", "cents"),
    [("150.00", 12, "12.5", 1250), ("100.00", 12, "8.333333333333333333333333333", 833)],
)
def test_an_annual_charge_is_billed_in_equal_installments(
    annual: str, installments: int, unit_price: str, cents: int
) -> None:
    charge = FixedCharge(
        code="BOND", label="Bond debt service", flat=D(annual), installments=installments
    )
    line = bill_for(version(charge), 0).lines[0]
    assert (line.unit_price, line.amount_cents) == (D(unit_price), cents)


@pytest.mark.parametrize(("usage", "cents"), [("0", 2000), ("0.01", 10000), ("3", 10000)])
def test_an_idle_irrigation_meter_pays_the_five_eighths_base(usage: str, cents: int) -> None:
    # given an irrigation base charge whose dormant meters pay the 5/8" amount
    irrigation_base = FixedCharge(
        code="IRR-BASE",
        label="Irrigation service",
        by_meter={'5/8"': D("20.00"), '2"': D("100.00")},
        dormant_meter_size='5/8"',
    )
    # when a 2-inch irrigation meter is billed
    bill = bill_for(version(irrigation_base), usage, account=home(meter_size='2"'))
    # then with no use it pays the 5/8" base, with any use its own size
    assert bill.total_cents == cents


def test_a_fixed_line_explains_itself() -> None:
    line = bill_for(version(SERVICE), 0, period=days_from(date(2025, 7, 1), 15)).lines[0]
    assert line.code == "SERVICE"
    assert line.version_id == "2025-A"
    assert (line.start, line.end, line.days) == (JULY.start, date(2025, 7, 16), 15)
    assert line.proration == D("0.5")
    assert line.quantity * line.unit_price * line.proration == D("10.00")


@pytest.mark.parametrize(("days", "cents"), [(56, 4000), (59, 4000), (63, 4000), (30, 2000)])
def test_a_bimonthly_schedule_prorates_against_sixty_days(days: int, cents: int) -> None:
    # given a bi-monthly service charge of $40.00 whose normal periods run 56 to 63 days
    bimonthly = version(
        FixedCharge(code="SERVICE", label="Service", flat=D(40)),
        nominal_days=60,
        normal_days=(56, 63),
    )
    # then a 30-day final bill pays half
    assert bill_for(bimonthly, 0, period=days_from(date(2025, 5, 1), days)).total_cents == cents


def test_a_charge_for_out_of_district_service_applies_only_outside() -> None:
    outside = FixedCharge(
        code="OOD",
        label="Out-of-district service",
        flat=D("9.00"),
        applies=Applicability(district=District.OUT),
    )
    assert bill_for(version(SERVICE, outside), 0).total_cents == 2000
    assert (
        bill_for(version(SERVICE, outside), 0, account=home(district=District.OUT)).total_cents
        == 2900
    )


def test_rate_bill_rates_one_bill_without_a_rater() -> None:
    bill = rate_bill(
        attributes=home(), usage=D(0), unit=VolumeUnit.CCF, period=JULY, versions=[version(SERVICE)]
    )
    assert bill.total_cents == 2000
