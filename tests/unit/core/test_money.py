"""Money: half-up rounding, display, parsing what people type, allocation keeping totals."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cistern.core.money import (
    MoneyError,
    allocate,
    cents_to_decimal,
    format_cents,
    parse_cents,
    round_cents,
)


@pytest.mark.parametrize(
    ("dollars", "cents"),
    [
        ("0", 0),
        ("1.004", 100),
        ("1.005", 101),
        ("1.0049999", 100),
        ("1.015", 102),
        ("2.675", 268),
        ("0.005", 1),
        ("0.0049", 0),
        ("-0.005", -1),
        ("-1.005", -101),
        ("-1.004", -100),
        ("-2.675", -268),
        ("12345678.995", 1234567900),
    ],
)
def test_round_cents_rounds_half_up_away_from_zero(dollars: str, cents: int) -> None:
    assert round_cents(Decimal(dollars)) == cents


@pytest.mark.parametrize("not_decimal", [1.005, 1, "1.00"])
def test_round_cents_refuses_anything_but_a_decimal(not_decimal: object) -> None:
    with pytest.raises(MoneyError):
        round_cents(not_decimal)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cents", "shown"),
    [
        (0, "$0.00"),
        (5, "$0.05"),
        (100, "$1.00"),
        (123456, "$1,234.56"),
        (-123456, "-$1,234.56"),
        (-5, "-$0.05"),
        (100000000, "$1,000,000.00"),
    ],
)
def test_format_cents_shows_dollars_with_separators(cents: int, shown: str) -> None:
    assert format_cents(cents) == shown


def test_cents_to_decimal_is_exact() -> None:
    assert cents_to_decimal(1234) == Decimal("12.34")
    assert cents_to_decimal(-5) == Decimal("-0.05")


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("12", 1200),
        ("12.3", 1230),
        ("12.34", 1234),
        ("$1,234.50", 123450),
        (" -3.10 ", -310),
        ("0.01", 1),
        (".5", 50),
        ("-0", 0),
    ],
)
def test_parse_cents_reads_what_people_type(typed: str, cents: int) -> None:
    assert parse_cents(typed) == cents


@pytest.mark.parametrize(
    "typed", ["", "   ", "abc", "1.234", "1e3", "1E3", "1.2.3", "NaN", "Infinity", "$", "12,34.5.6"]
)
def test_parse_cents_refuses_what_is_not_money(typed: str) -> None:
    with pytest.raises(MoneyError):
        parse_cents(typed)


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (-100, [1, 1, 1], [-34, -33, -33]),
        (1000, [1, 0, 1], [500, 0, 500]),
        (1, [1, 1], [1, 0]),
        (0, [3, 7], [0, 0]),
        (10000, [1], [10000]),
    ],
)
def test_allocate_splits_by_largest_remainder(
    total: int, weights: list[int], parts: list[int]
) -> None:
    assert allocate(total, weights) == parts


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
def test_allocate_refuses_bad_weights(weights: list[int]) -> None:
    with pytest.raises(MoneyError):
        allocate(100, weights)


@given(
    total=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=20).filter(
        lambda ws: sum(ws) > 0
    ),
)
def test_allocate_always_preserves_the_total_and_stays_within_a_cent(
    total: int, weights: list[int]
) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(total) * weight / weight_sum
        assert abs(Decimal(part) - exact) < 1
        if weight == 0:
            assert part == 0


@given(cents=st.integers(min_value=-(10**12), max_value=10**12))
def test_format_then_parse_returns_the_same_cents(cents: int) -> None:
    assert parse_cents(format_cents(cents)) == cents
