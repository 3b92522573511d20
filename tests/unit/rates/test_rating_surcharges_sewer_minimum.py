"""Surcharges per unit, sewer charges, the winter-average cap, minimum charges."""

from datetime import date

import pytest

from cistern.rates.domain import (
    Applicability,
    BillingPeriod,
    FixedCharge,
    MinimumCharge,
    RatingError,
    SewerCap,
    SewerVolumetric,
    Tier,
    TieredCharge,
    VolumetricSurcharge,
    VolumeUnit,
)
from cistern.rates.domain.sewer import WINTER_DEC_TO_FEB, winter_average
from tests.unit.rates.rating_cast import D, bill_for, days_from, home, version

CCF = VolumeUnit.CCF


@pytest.mark.parametrize(
    ("threshold", "price", "usage", "cents"),
    [
        ("0", "0.50", "10", 500),  # shortage stage on all use
        ("0", "0.50", "0", 0),
        ("20", "0.75", "20", 0),  # only above 20 CCF
        ("20", "0.75", "25", 375),
        ("20", "0.75", "20.01", 1),  # 0.0075 -> 1 cent
    ],
)
def test_a_shortage_surcharge_applies_to_all_use_or_above_a_threshold(
    threshold: str, price: str, usage: str, cents: int
) -> None:
    stage = VolumetricSurcharge(
        code="STAGE2", label="Stage 2 shortage", unit=CCF, price=D(price), threshold=D(threshold)
    )
    assert bill_for(version(stage), usage).total_cents == cents


@pytest.mark.parametrize(("zone", "cents"), [("HIGH", 300), ("LOW", 0), ("", 0)])
def test_a_pumping_zone_surcharge_applies_only_in_its_zone(zone: str, cents: int) -> None:
    pumping = VolumetricSurcharge(
        code="ZONE",
        label="Pumping zone",
        unit=CCF,
        price=D("0.30"),
        applies=Applicability(zones=frozenset({"HIGH"})),
    )
    assert bill_for(version(pumping), "10", account=home(zone=zone)).total_cents == cents


def test_a_wholesale_pass_through_per_thousand_gallons() -> None:
    passthrough = VolumetricSurcharge(
        code="MWD", label="Wholesale pass-through", unit=VolumeUnit.KGAL, price=D("0.25")
    )
    assert bill_for(version(passthrough), "10").total_cents == 187  # 7.48 kgal


def test_flat_sewer_is_charged_per_dwelling_unit() -> None:
    flat = FixedCharge(code="SEWER", label="Sewer", per_dwelling_unit=D(30))
    assert bill_for(version(flat), "0", account=home(dwelling_units=2)).total_cents == 6000


CAPPED = SewerVolumetric(
    code="SEWER",
    label="Sewer usage",
    unit=CCF,
    price=D("4.00"),
    return_factor=D("0.9"),
    cap_kind=SewerCap.FIXED,
    cap=D(15),
)


@pytest.mark.parametrize(
    ("usage", "cents"),
    [("0", 0), ("10", 3600), ("16.6", 5976), ("16.67", 6000), ("20", 6000)],
)
def test_volumetric_sewer_bills_returned_water_up_to_the_cap(usage: str, cents: int) -> None:
    assert bill_for(version(CAPPED), usage).total_cents == cents


def test_the_sewer_cap_prorates_with_the_period() -> None:
    # a 15-day period caps at 7.5 CCF
    bill = bill_for(version(CAPPED), "20", period=days_from(date(2025, 7, 1), 15))
    assert (bill.lines[0].tier_to, bill.total_cents) == (D("7.5"), 3000)


WINTER_CAPPED = SewerVolumetric(
    code="SEWER",
    label="Sewer (winter average)",
    unit=CCF,
    price=D("4.00"),
    cap_kind=SewerCap.WINTER_AVERAGE,
    cap=D(10),
)


@pytest.mark.parametrize(
    ("cap", "usage", "cents"),
    [("8", "7", 2800), ("8", "8", 3200), ("8", "12", 3200), (None, "12", 4000), (None, "9", 3600)],
)
def test_residential_sewer_is_capped_at_the_accounts_winter_average(
    cap: str | None, usage: str, cents: int
) -> None:
    account = home(sewer_cap_ccf=None if cap is None else D(cap))
    assert bill_for(version(WINTER_CAPPED), usage, account=account).total_cents == cents


def _winter_history() -> list[tuple[BillingPeriod, D]]:
    usage = {11: 6, 12: 7, 1: 8, 2: 5, 3: 6, 4: 12, 7: 30}
    history = []
    for month, ccf in usage.items():
        year = 2024 if month >= 11 else 2025
        start = date(year, month, 1)
        history.append((days_from(start, 28), D(ccf)))
    return history


def test_the_winter_average_is_the_mean_of_winter_periods_rounded_down() -> None:
    history = _winter_history()
    assert winter_average(history) == D(6)  # 32 / 5 = 6.4
    assert winter_average(history, WINTER_DEC_TO_FEB) == D(6)  # 20 / 3 = 6.67
    assert winter_average(history[5:]) is None


@pytest.mark.parametrize(("strength", "cents"), [("LOW", 3000), ("MEDIUM", 5000), ("HIGH", 8000)])
def test_commercial_sewer_is_priced_by_strength_class(strength: str, cents: int) -> None:
    by_strength = SewerVolumetric(
        code="SEWER-COM",
        label="Commercial sewer",
        unit=CCF,
        prices_by_strength={"LOW": D(3), "MEDIUM": D(5), "HIGH": D(8)},
    )
    bill = bill_for(version(by_strength), "10", account=home(strength_class=strength))
    assert bill.total_cents == cents


def test_commercial_sewer_without_a_strength_class_is_refused() -> None:
    by_strength = SewerVolumetric(
        code="SEWER-COM", label="Sewer", unit=CCF, prices_by_strength={"LOW": D(3)}
    )
    with pytest.raises(RatingError, match="strength class"):
        bill_for(version(by_strength), "10")


WATER = TieredCharge(code="WATER", label="Water", unit=CCF, tiers=(Tier(D(0), D(2)),))
MINIMUM = MinimumCharge(
    code="MINIMUM", label="Minimum charge", amount=D(15), codes=frozenset({"WATER"})
)


@pytest.mark.parametrize(
    ("usage", "days", "lines"),
    [
        ("5", 30, [("WATER", 1000), ("MINIMUM", 500)]),
        ("0", 30, [("MINIMUM", 1500)]),
        ("7.5", 30, [("WATER", 1500)]),
        ("8", 30, [("WATER", 1600)]),
        ("2", 15, [("WATER", 400), ("MINIMUM", 350)]),  # minimum 7.50 for 15 days
    ],
)
def test_a_minimum_charge_tops_the_bill_up(
    usage: str, days: int, lines: list[tuple[str, int]]
) -> None:
    bill = bill_for(version(WATER, MINIMUM), usage, period=days_from(date(2025, 7, 1), days))
    assert [(line.code, line.amount_cents) for line in bill.lines] == lines
