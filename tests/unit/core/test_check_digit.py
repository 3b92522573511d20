"""Luhn check digits: known vectors and every single-digit keying error caught."""

import pytest

from cistern.core.domain.check_digit import luhn_check_digit, luhn_is_valid, with_check_digit


@pytest.mark.parametrize(
    ("digits", "check"),
    [
        ("7992739871", 3),
        ("1000001", 6),
        ("0", 0),
        ("4111111111111111"[:-1], 1),
        ("1", 8),
        ("12345", 5),
    ],
)
def test_known_check_digits(digits: str, check: int) -> None:
    assert luhn_check_digit(digits) == check


@pytest.mark.parametrize(
    "number", ["79927398713", "4111111111111111", "4012888888881881", "10000016"]
)
def test_known_valid_numbers_pass(number: str) -> None:
    assert luhn_is_valid(number)


@pytest.mark.parametrize("number", ["79927398710", "", "7", "12a45", "4111111111111112"])
def test_invalid_or_malformed_numbers_fail(number: str) -> None:
    assert not luhn_is_valid(number)


def test_check_digit_refuses_non_digits() -> None:
    with pytest.raises(ValueError, match="digits only"):
        luhn_check_digit("12-34")


@pytest.mark.parametrize("base", ["1000001", "1000002", "1234567", "9999999", "1000000"])
def test_every_single_digit_error_is_caught(base: str) -> None:
    number = with_check_digit(base)
    assert luhn_is_valid(number)
    for position in range(len(number)):
        for wrong in "0123456789":
            if wrong == number[position]:
                continue
            typo = number[:position] + wrong + number[position + 1 :]
            assert not luhn_is_valid(typo), f"{typo} (typo of {number}) passed"


def test_most_adjacent_transpositions_are_caught() -> None:
    number = with_check_digit("1234567")
    for i in range(len(number) - 1):
        a, b = number[i], number[i + 1]
        if a == b or {a, b} == {"0", "9"}:  # Luhn's known blind spot: 09 <-> 90
            continue
        swapped = number[:i] + b + a + number[i + 2 :]
        assert not luhn_is_valid(swapped), swapped
