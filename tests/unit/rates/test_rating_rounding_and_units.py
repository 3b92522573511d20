"""Rounding rules of a schedule, and the one table of volume conversions."""

from decimal import Decimal

import pytest

from cistern.rates.domain import RoundingRule, VolumeUnit, convert, round_to_cents
from cistern.rates.domain.units import parse_unit

D = Decimal


@pytest.mark.parametrize(
    ("dollars", "rule", "cents"),
    [
        ("1.005", RoundingRule.HALF_UP, 101),
        ("1.0049999", RoundingRule.HALF_UP, 100),
        ("-1.005", RoundingRule.HALF_UP, -101),
        ("1.005", RoundingRule.HALF_EVEN, 100),
        ("1.015", RoundingRule.HALF_EVEN, 102),
        ("1.0051", RoundingRule.HALF_EVEN, 101),
        ("1.019", RoundingRule.DOWN, 101),
        ("-1.019", RoundingRule.DOWN, -101),
        ("0", RoundingRule.HALF_UP, 0),
        ("12345.675", RoundingRule.HALF_UP, 1234568),
    ],
)
def test_a_line_rounds_to_the_cent_under_the_schedules_rule(
    dollars: str, rule: RoundingRule, cents: int
) -> None:
    assert round_to_cents(D(dollars), rule) == cents


@pytest.mark.parametrize(
    ("quantity", "source", "target", "expected"),
    [
        ("1", VolumeUnit.CCF, VolumeUnit.GALLONS, "748"),
        ("1", VolumeUnit.CCF, VolumeUnit.CUBIC_FEET, "100"),
        ("10", VolumeUnit.CCF, VolumeUnit.KGAL, "7.48"),
        ("10", VolumeUnit.CCF, VolumeUnit.HGAL, "74.8"),
        ("7480", VolumeUnit.GALLONS, VolumeUnit.CCF, "10"),
        ("5000", VolumeUnit.GALLONS, VolumeUnit.KGAL, "5"),
        ("250", VolumeUnit.CUBIC_FEET, VolumeUnit.CCF, "2.5"),
        ("1", VolumeUnit.ACRE_FEET, VolumeUnit.CCF, "435.6"),
        ("3", VolumeUnit.HGAL, VolumeUnit.GALLONS, "300"),
    ],
)
def test_usage_converts_between_units_at_748_gallons_per_ccf(
    quantity: str, source: VolumeUnit, target: VolumeUnit, expected: str
) -> None:
    assert convert(D(quantity), source, target) == D(expected)


def test_hcf_is_another_name_for_ccf() -> None:
    assert parse_unit("HCF") is VolumeUnit.CCF
    assert parse_unit(" kgal ") is VolumeUnit.KGAL
