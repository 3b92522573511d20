"""Tiered volumetric charges, hand-computed with boundaries at every tier edge."""

from datetime import date

import pytest

from cistern.rates.domain import (
    Applicability,
    District,
    RatingError,
    RoundingRule,
    SeasonBasis,
    Tier,
    TieredCharge,
    VolumeUnit,
)
from tests.unit.rates.rating_cast import (
    D,
    bill_for,
    cents_by_line,
    days_from,
    home,
    version,
)

CCF = VolumeUnit.CCF


def tiered(starts: list[str], prices: list[str], **fields: object) -> TieredCharge:
    values: dict[str, object] = {
        "code": "WATER",
        "label": "Water usage",
        "unit": CCF,
        "tiers": tuple(Tier(D(s), D(p)) for s, p in zip(starts, prices, strict=True)),
    }
    values.update(fields)
    return TieredCharge(**values)  # type: ignore[arg-type]


# Continuous blocks "0-8, 8-15, over 15" at $2.00, $3.00, $4.50 per CCF.
CONTINUOUS = tiered(["0", "8", "15"], ["2.00", "3.00", "4.50"])


@pytest.mark.parametrize(
    ("usage", "lines"),
    [
        ("0", []),
        ("7.99", [1598]),
        ("8", [1600]),
        ("8.01", [1600, 3]),
        ("15", [1600, 2100]),
        ("15.01", [1600, 2100, 5]),  # 0.01 x 4.50 = 4.5 cents, half-up per line
        ("20", [1600, 2100, 2250]),
    ],
)
def test_continuous_blocks_bill_each_ccf_at_its_tier_price(usage: str, lines: list[int]) -> None:
    bill = bill_for(version(CONTINUOUS), usage)
    assert [line.amount_cents for line in bill.lines] == lines
    assert [line.tier for line in bill.lines] == [1, 2, 3][: len(lines)]


def test_a_tier_line_explains_its_bounds_quantity_and_price() -> None:
    second = bill_for(version(CONTINUOUS), "12").lines[1]
    assert (second.tier, second.tier_from, second.tier_to) == (2, D(8), D(15))
    assert (second.quantity, second.unit_price, second.unit) == (D(4), D("3.00"), "ccf")
    assert second.amount_cents == 1200


# Whole-unit blocks "0-4, 5-16, 17-30, 31+" at $1, $2, $3, $4 per HCF.
WHOLE_UNITS = tiered(["0", "4", "16", "30"], ["1", "2", "3", "4"], whole_units=True)


@pytest.mark.parametrize(
    ("usage", "cents"),
    [
        ("4", 400),
        ("4.9", 400),  # a fraction of a unit is not billed
        ("5", 600),
        ("16", 2800),
        ("16.7", 2800),
        ("17", 3100),
        ("30", 7000),
        ("31", 7400),
    ],
)
def test_whole_unit_blocks_bill_whole_units_at_every_edge(usage: str, cents: int) -> None:
    assert bill_for(version(WHOLE_UNITS), usage).total_cents == cents


BY_METER = tiered(
    ["0", "10"],
    ["2.00", "3.00"],
    starts_by_meter={'5/8"': (D(0), D(10)), '2"': (D(0), D(50))},
)


@pytest.mark.parametrize(
    ("meter", "usage", "cents"),
    [('5/8"', "10", 2000), ('5/8"', "11", 2300), ('2"', "50", 10000), ('2"', "51", 10300)],
)
def test_tier_widths_follow_the_meter_size(meter: str, usage: str, cents: int) -> None:
    bill = bill_for(version(BY_METER), usage, account=home(meter_size=meter))
    assert bill.total_cents == cents


def test_tier_widths_for_a_missing_meter_size_are_refused() -> None:
    with pytest.raises(RatingError, match="WATER"):
        bill_for(version(BY_METER), "5", account=home(meter_size='3"'))


@pytest.mark.parametrize(("usage", "cents"), [("24", 4800), ("25", 5100)])
def test_tier_widths_scale_with_dwelling_units(usage: str, cents: int) -> None:
    # given a first tier of 6 CCF per dwelling unit, and a fourplex
    per_unit = tiered(["0", "6"], ["2.00", "3.00"], scale_by_dwelling_units=True)
    bill = bill_for(version(per_unit), usage, account=home(dwelling_units=4))
    # then the first tier is 24 CCF wide
    assert bill.total_cents == cents


@pytest.mark.parametrize(
    ("tariff_unit", "width", "prices", "usage", "usage_unit", "cents"),
    [
        (VolumeUnit.KGAL, "5", ("4.00", "6.00"), "5000", VolumeUnit.GALLONS, 2000),
        (VolumeUnit.KGAL, "5", ("4.00", "6.00"), "5001", VolumeUnit.GALLONS, 2001),  # +0.6 cent
        (VolumeUnit.KGAL, "5", ("4.00", "6.00"), "10", VolumeUnit.CCF, 3488),  # 7.48 kgal
        (VolumeUnit.GALLONS, "5000", ("0.004", "0.006"), "6000", VolumeUnit.GALLONS, 2600),
        (VolumeUnit.HGAL, "50", ("0.40", "1.00"), "60", VolumeUnit.HGAL, 3000),
        (VolumeUnit.HGAL, "50", ("0.40", "1.00"), "10", VolumeUnit.CCF, 2000 + 2480),  # 74.8 hgal
        (VolumeUnit.CUBIC_FEET, "500", ("0.04", "0.06"), "10", VolumeUnit.CCF, 2000 + 3000),
        (VolumeUnit.CCF, "5", ("2.00", "3.00"), "748", VolumeUnit.GALLONS, 200),  # 1 CCF
    ],
)
def test_tiers_may_be_stated_in_any_unit_of_volume(
    tariff_unit: VolumeUnit,
    width: str,
    prices: tuple[str, str],
    usage: str,
    usage_unit: VolumeUnit,
    cents: int,
) -> None:
    # given a first block of `width` units in the tariff's own unit
    charge = tiered(["0", width], list(prices), unit=tariff_unit)
    # when usage arrives in another unit, then it is converted before rating
    assert bill_for(version(charge), usage, unit=usage_unit).total_cents == cents


@pytest.mark.parametrize(("usage", "lines"), [("5", [0]), ("6", [0, 200])])
def test_an_allowance_included_in_the_base_charge_is_a_zero_price_first_block(
    usage: str, lines: list[int]
) -> None:
    allowance = TieredCharge(
        code="WATER",
        label="Water usage",
        unit=CCF,
        tiers=(Tier(D(0), D(0), "Allowance included in base charge"), Tier(D(5), D(2))),
    )
    bill = bill_for(version(allowance), usage)
    assert [line.amount_cents for line in bill.lines] == lines
    assert bill.lines[0].label == "Allowance included in base charge"


@pytest.mark.parametrize(
    ("usage", "lines"),
    [("10", [("WATER", 3, 4500)]), ("11", [("WATER", 3, 4500), ("WATER", 4, 600)])],
)
def test_irrigation_starts_at_tier_three(usage: str, lines: list[tuple[str, int, int]]) -> None:
    # given tiers 0/8/15/25 at 2.00/3.00/4.50/6.00, irrigation starting at tier 3
    irrigation = tiered(["0", "8", "15", "25"], ["2.00", "3.00", "4.50", "6.00"], first_tier=3)
    # then its first 10 CCF (tier 3's width) bill at 4.50 and the rest at 6.00
    assert cents_by_line(bill_for(version(irrigation), usage)) == lines


@pytest.mark.parametrize(
    ("rule", "cents"),
    [(RoundingRule.HALF_UP, 4063), (RoundingRule.HALF_EVEN, 4062), (RoundingRule.DOWN, 4062)],
)
def test_a_uniform_class_pays_one_price_rounded_by_the_schedules_rule(
    rule: RoundingRule, cents: int
) -> None:
    uniform = tiered(["0"], ["3.25"])
    assert bill_for(version(uniform, rounding=rule), "12.5").total_cents == cents  # 40.625


@pytest.mark.parametrize(("district", "cents"), [(District.IN, 2200), (District.OUT, 3300)])
def test_out_of_district_service_pays_the_out_of_district_prices(
    district: District, cents: int
) -> None:
    charge = tiered(["0", "8"], ["2", "3"], out_of_district_prices=(D(3), D("4.5")))
    assert bill_for(version(charge), "10", account=home(district=district)).total_cents == cents


def test_out_of_district_service_without_prices_is_refused() -> None:
    with pytest.raises(RatingError, match="out-of-district"):
        bill_for(version(CONTINUOUS), "10", account=home(district=District.OUT))


def test_a_component_for_other_classes_does_not_apply() -> None:
    commercial_only = tiered(["0"], ["9"], applies=Applicability(classes=frozenset({"COM"})))
    assert bill_for(version(commercial_only), "10").lines == ()


SUMMER = frozenset({6, 7, 8, 9})
WINTER = frozenset({10, 11, 12, 1, 2, 3, 4, 5})
SEASONAL = (
    tiered(["0", "10"], ["2", "4"], applies=Applicability(months=SUMMER), label="Summer"),
    tiered(["0"], ["3"], applies=Applicability(months=WINTER), label="Winter"),
)


@pytest.mark.parametrize(
    ("start", "usage", "lines"),
    [
        (date(2025, 7, 1), "10", [("Summer", 2000)]),
        (date(2025, 7, 1), "12", [("Summer", 2000), ("Summer", 800)]),
        (date(2025, 1, 1), "12", [("Winter", 3600)]),
        # Sep 16 to Oct 15: 15 summer days (5 CCF against a 5 CCF tier) and 15 winter days
        (date(2025, 9, 16), "10", [("Summer", 1000), ("Winter", 1500)]),
        (date(2025, 9, 16), "12", [("Summer", 1000), ("Summer", 400), ("Winter", 1800)]),
    ],
)
def test_seasonal_prices_follow_the_service_days(
    start: date, usage: str, lines: list[tuple[str, int]]
) -> None:
    bill = bill_for(version(*SEASONAL), usage, period=days_from(start, 30))
    assert [(line.label, line.amount_cents) for line in bill.lines] == lines


def test_seasonal_prices_may_follow_the_period_end_instead() -> None:
    schedule = version(*SEASONAL, season_basis=SeasonBasis.PERIOD_END)
    bill = bill_for(schedule, "10", period=days_from(date(2025, 9, 16), 30))
    assert [(line.label, line.amount_cents) for line in bill.lines] == [("Winter", 3000)]


@pytest.mark.parametrize(
    ("days", "usage", "cents"),
    [(15, "4", 800), (15, "5", 1000), (15, "6", 1300), (45, "15", 3000), (45, "16", 3300)],
)
def test_short_and_long_periods_prorate_tier_widths(days: int, usage: str, cents: int) -> None:
    # given a 10 CCF first tier per 30 days at 2.00, then 3.00: 5 CCF for 15 days, 15 for 45
    charge = tiered(["0", "10"], ["2.00", "3.00"])
    bill = bill_for(version(charge), usage, period=days_from(date(2025, 7, 1), days))
    assert bill.total_cents == cents
