"""`rating_attributes`: one builder of RatingAttributes from plain values, interned."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cistern.billing.attributes import ROW_FIELDS, rating_attributes
from cistern.rates.domain import District, RatingAttributes


def test_a_row_of_plain_values_becomes_the_attributes_the_engine_reads() -> None:
    row = ("sfr", "5/8", 1, True, 4, 1200, Decimal("0.80"), Decimal("5.10"), "", Decimal(7),
           Decimal("3.5"), "")  # fmt: skip
    attrs = rating_attributes(*row)
    assert attrs == RatingAttributes(
        customer_class="sfr",
        meter_size='5/8"',
        dwelling_units=1,
        household_size=4,
        irrigated_area_sqft=Decimal(1200),
        landscape_factor=Decimal("0.8"),
        et_inches=Decimal("5.1"),
        district=District.IN,
        sewer_cap_ccf=Decimal(7),
        variance_ccf=Decimal("3.5"),
    )
    assert len(row) == len(ROW_FIELDS)


def test_equal_values_give_the_very_same_object() -> None:
    first = rating_attributes("sfr", "3/4", 1, True, 3, 500, None, Decimal("2.24"))
    again = rating_attributes("sfr", "3/4", 1, True, 3, 500, None, Decimal("2.24"))
    assert first is again


def test_equal_values_written_differently_still_share_one_object() -> None:
    by_position = rating_attributes("sfr", "3/4", 1, True, 3, 500, None, Decimal("2.24"))
    by_keyword = rating_attributes(
        premise_class="sfr", meter_size='3/4"', household_size=3,
        irrigated_area_sqft=Decimal("500.0"), et_inches="2.240",
    )  # fmt: skip
    assert by_keyword is by_position


def test_different_values_give_different_objects() -> None:
    three = rating_attributes("sfr", "5/8", household_size=3)
    four = rating_attributes("sfr", "5/8", household_size=4)
    assert three is not four
    assert (three.household_size, four.household_size) == (3, 4)


@pytest.mark.parametrize(
    ("given", "expected"),
    [(None, '5/8"'), ("", '5/8"'), ("1-1/2", '1-1/2"'), ('2"', '2"')],
)
def test_the_meter_size_is_written_as_schedules_price_it(given, expected) -> None:
    assert rating_attributes("commercial", given).meter_size == expected


def test_database_nulls_and_blanks_become_the_engine_defaults() -> None:
    attrs = rating_attributes(
        "sfr", None, None, True, None, None, None, None, None, None, None, None
    )
    assert attrs == RatingAttributes(customer_class="sfr")
    assert attrs.landscape_factor is None and attrs.sewer_cap_ccf is None


def test_outside_the_district_and_a_strength_class_are_carried() -> None:
    attrs = rating_attributes("commercial", "2", 1, False, strength_class="high", zone="Hill")
    assert attrs.district is District.OUT
    assert (attrs.strength_class, attrs.zone) == ("high", "Hill")


def test_a_float_is_refused_because_quantities_are_exact() -> None:
    with pytest.raises(TypeError, match="et_inches"):
        rating_attributes("sfr", "5/8", et_inches=2.5)  # type: ignore[arg-type]
