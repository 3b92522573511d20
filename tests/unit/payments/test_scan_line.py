"""The bill stub's scan line: built, read back, and refused when mistyped."""

import pytest

from cistern.core.domain.check_digit import luhn_check_digit
from cistern.payments.domain.scan_line import (
    MSG_BAD_CHECK_DIGIT,
    MSG_EMPTY,
    MSG_NOT_DIGITS,
    SCAN_LINE_LENGTH,
    ScanLine,
    ScanLineError,
    scan_line_build,
    scan_line_parse,
)
from tests.unit.payments.payments_cast import ALVAREZ, BAKER


def test_a_scan_line_is_account_then_zero_padded_cents_then_a_luhn_digit() -> None:
    # given account 10000016 owing $123.45
    # when the stub is printed
    line = scan_line_build(ALVAREZ, 12_345)
    # then
    assert line[:8] == ALVAREZ
    assert line[8:17] == "000012345"
    assert line[17] == str(luhn_check_digit(line[:17]))
    assert len(line) == SCAN_LINE_LENGTH == 18


@pytest.mark.parametrize("amount_cents", [0, 1, 99, 12_345, 999_999_999])
def test_a_built_scan_line_reads_back_to_the_same_account_and_amount(amount_cents: int) -> None:
    parsed = scan_line_parse(scan_line_build(BAKER, amount_cents))
    assert parsed.account_number == BAKER
    assert parsed.amount_due_cents == amount_cents


@pytest.mark.parametrize(
    "typed",
    [
        "100000160000123455",
        "10000016 000012345 5",
        "10000016-000012345-5",
        "  100000160000123455\r\n",
        "1000-0016-0000-1234-55",
    ],
)
def test_spaces_dashes_and_scanner_line_ends_are_ignored(typed: str) -> None:
    assert scan_line_parse(typed) == ScanLine(ALVAREZ, 12_345, 5)


def test_a_scan_line_displays_in_three_groups() -> None:
    assert scan_line_parse("100000160000123455").display == "10000016 000012345 5"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("10000016000012345", "wrong_length"),
        ("1000001600001234555", "wrong_length"),
        ("10000016O000123455", "not_digits"),
        ("10000016/000012345/5", "not_digits"),
        ("١٠٠٠٠٠١٦٠٠٠٠١٢٣٤٥٥", "not_digits"),  # Arabic-Indic digits are not ours
        ("100000160000123456", "bad_check_digit"),  # last digit mistyped
        ("100000160000123545", "bad_check_digit"),  # cents digits swapped: 45 -> 54
        ("100000160000133455", "bad_check_digit"),  # one digit of the amount misread
    ],
)
def test_a_wrong_scan_line_is_refused_with_a_reason(typed: str, code: str) -> None:
    with pytest.raises(ScanLineError) as refused:
        scan_line_parse(typed)
    assert refused.value.code == code
    assert refused.value.message


def test_a_scan_line_whose_account_digit_is_wrong_is_refused_even_if_the_line_digit_fits() -> None:
    # given an account number with a wrong check digit, and a line digit computed over it
    body = "10000017" + "000012345"
    typed = body + str(luhn_check_digit(body))
    # then the account check refuses it
    with pytest.raises(ScanLineError) as refused:
        scan_line_parse(typed)
    assert refused.value.code == "bad_account"
    assert "10000017" in refused.value.message


def test_every_single_digit_error_is_caught() -> None:
    good = scan_line_build(ALVAREZ, 12_345)
    for position in range(len(good)):
        for digit in "0123456789":
            if digit == good[position]:
                continue
            typo = good[:position] + digit + good[position + 1 :]
            with pytest.raises(ScanLineError):
                scan_line_parse(typo)


def test_the_cashier_messages_say_what_to_do() -> None:
    assert "search" in MSG_BAD_CHECK_DIGIT
    assert "scan" in MSG_EMPTY.lower()
    assert "digits" in MSG_NOT_DIGITS


@pytest.mark.parametrize(
    ("account", "amount_cents", "code"),
    [
        ("10000017", 100, "bad_account"),
        ("1000001", 100, "bad_account"),
        ("100000166", 100, "bad_account"),
        (ALVAREZ, -1, "negative_amount"),
        (ALVAREZ, 1_000_000_000, "amount_too_large"),
    ],
)
def test_a_stub_is_not_printed_for_a_bad_account_or_amount(
    account: str, amount_cents: int, code: str
) -> None:
    with pytest.raises(ScanLineError) as refused:
        scan_line_build(account, amount_cents)
    assert refused.value.code == code
