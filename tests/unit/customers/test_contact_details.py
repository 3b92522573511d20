"""Phone numbers, ZIP codes, APNs and addresses as people type them."""

import pytest

from cistern.customers.domain.contact_details import (
    Address,
    address_problem,
    apn_normal,
    phone_digits,
    phone_display,
    postal_code_normal,
    state_normal,
)


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("(530) 555-0142", "5305550142"),
        ("530.555.0142", "5305550142"),
        ("+1 530 555 0142", "5305550142"),
        ("1-530-555-0142", "5305550142"),
        ("555-0142", None),
        ("053 555 0142", None),  # area codes never start with 0 or 1
        ("", None),
        ("phone", None),
    ],
)
def test_phone_digits_accepts_any_format_of_a_ten_digit_number(typed, digits):
    assert phone_digits(typed) == digits


def test_phone_display_formats_ten_digits():
    assert phone_display("5305550142") == "(530) 555-0142"
    assert phone_display("12345") == "12345"


@pytest.mark.parametrize(
    ("typed", "ok"),
    [("95616", True), ("95616-1234", True), ("9561", False), ("95616-12", False), ("ABCDE", False)],
)
def test_zip_codes(typed, ok):
    assert (postal_code_normal(typed) is not None) == ok


def test_state_and_apn_normalization():
    assert state_normal(" ca ") == "CA"
    assert state_normal("Cal") is None
    assert apn_normal("069-231-014") == "069-231-014"
    assert apn_normal("") == ""
    assert apn_normal("APN 1") is None


def test_an_address_problem_names_the_field():
    assert address_problem(Address("", "Davis", "CA", "95616").normalized()) == (
        "line1",
        "line1_missing",
    )
    assert address_problem(Address("1 Main", "Davis", "C", "95616").normalized()) == (
        "state",
        "state_invalid",
    )
    assert address_problem(Address(" 1  Main ", "Davis", "ca", "95616").normalized()) is None
