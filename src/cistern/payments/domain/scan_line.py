"""The bill stub's scan line: account number + amount due + a mod-10 (Luhn) check digit.

Rule (docs/decisions/payments-domain.md, "Scan line"): the scan line is 18 ASCII digits,

    positions  1-8   account number, as issued (7 digits + its own Luhn check digit)
    positions  9-17  amount due in cents, zero-padded to 9 digits (a credit prints as 0)
    position   18    Luhn check digit over positions 1-17

printed grouped for reading as ``10000018 000012345 6``. A cashier typing it, or a lockbox
OCR reader misreading it, is caught by the check digit: every single-digit error and most
adjacent transpositions are refused. Spaces and dashes are ignored when reading one back.
"""

from __future__ import annotations

from dataclasses import dataclass

from cistern.core.domain.check_digit import luhn_check_digit, luhn_is_valid
from cistern.payments.domain.errors import PaymentRuleError

ACCOUNT_DIGITS = 8  # account numbers are 7 digits + check digit (core/numbering.py)
AMOUNT_DIGITS = 9  # cents, so the largest amount due is $9,999,999.99
SCAN_LINE_LENGTH = ACCOUNT_DIGITS + AMOUNT_DIGITS + 1
MAX_AMOUNT_DUE_CENTS = 10**AMOUNT_DIGITS - 1
ASCII_DIGITS = frozenset("0123456789")
IGNORED_SEPARATORS = " -"

# Messages for the cashier; ``code`` lets the web layer show a translated message.
MSG_EMPTY = "Enter or scan the scan line from the bill stub."
MSG_NOT_DIGITS = (
    "The scan line may contain only digits (spaces and dashes are ignored); "
    "check what was typed or scan the stub again."
)
MSG_WRONG_LENGTH = (
    "A scan line has {expected} digits but {found} were entered; "
    "check for a missing or extra digit."
)
MSG_BAD_CHECK_DIGIT = (
    "The scan line's check digit does not match: a digit was mistyped or misread. "
    "Type it again or find the account by search."
)
MSG_BAD_ACCOUNT = (
    "The account number in the scan line ({account}) is not a valid account number; "
    "find the account by search."
)
MSG_NEGATIVE_AMOUNT = "The amount due on a scan line cannot be negative; print a credit as 0."
MSG_AMOUNT_TOO_LARGE = "The amount due is too large for a scan line (at most $9,999,999.99)."


class ScanLineError(PaymentRuleError):
    """A scan line that cannot be read. ``message`` is for the cashier; ``code`` is stable."""


@dataclass(frozen=True)
class ScanLine:
    """A scan line read back: the account it names and the amount due it printed."""

    account_number: str  # 8 digits, check digit included
    amount_due_cents: int
    check_digit: int

    @property
    def digits(self) -> str:
        """The 18 digits, as the stub prints them without grouping."""
        body = scan_line_body(self.account_number, self.amount_due_cents)
        return f"{body}{self.check_digit}"

    @property
    def display(self) -> str:
        """Grouped for people: ``10000018 000012345 6``."""
        text = self.digits
        return f"{text[:ACCOUNT_DIGITS]} {text[ACCOUNT_DIGITS:-1]} {text[-1]}"


def _is_ascii_digits(text: str) -> bool:
    # ``isdigit`` alone would accept other scripts' digits; with ``isascii``, only 0-9.
    return text.isascii() and text.isdigit()


def _check_account(account_number: str) -> None:
    if not (
        len(account_number) == ACCOUNT_DIGITS
        and _is_ascii_digits(account_number)
        and luhn_is_valid(account_number)
    ):
        raise ScanLineError("bad_account", MSG_BAD_ACCOUNT.format(account=account_number))


def scan_line_body(account_number: str, amount_due_cents: int) -> str:
    """The 17 digits the check digit covers: account number then zero-padded cents."""
    return f"{account_number}{amount_due_cents:0{AMOUNT_DIGITS}d}"


def scan_line_build(account_number: str, amount_due_cents: int) -> str:
    """The 18-digit scan line for a stub. Refuses a malformed account or an impossible amount.

    A credit balance or nothing due is printed as amount 0: pass ``max(balance, 0)``.
    """
    _check_account(account_number)
    if amount_due_cents < 0:
        raise ScanLineError("negative_amount", MSG_NEGATIVE_AMOUNT)
    if amount_due_cents > MAX_AMOUNT_DUE_CENTS:
        raise ScanLineError("amount_too_large", MSG_AMOUNT_TOO_LARGE)
    body = scan_line_body(account_number, amount_due_cents)
    return f"{body}{luhn_check_digit(body)}"


def scan_line_normalize(text: str) -> str:
    """What was typed or scanned, without surrounding whitespace, spaces and dashes."""
    cleaned = text.strip()
    for separator in IGNORED_SEPARATORS:
        cleaned = cleaned.replace(separator, "")
    return cleaned


def scan_line_parse(text: str) -> ScanLine:
    """Read a typed or scanned scan line, refusing it with a `ScanLineError` if it is wrong.

    Checked in this order, so the cashier sees the most useful message: something entered,
    digits only, the right length, the check digit, then the account's own check digit.
    """
    digits = scan_line_normalize(text)
    if not digits:
        raise ScanLineError("empty", MSG_EMPTY)
    if not _is_ascii_digits(digits):
        raise ScanLineError("not_digits", MSG_NOT_DIGITS)
    if len(digits) != SCAN_LINE_LENGTH:
        raise ScanLineError(
            "wrong_length", MSG_WRONG_LENGTH.format(expected=SCAN_LINE_LENGTH, found=len(digits))
        )
    if not luhn_is_valid(digits):
        raise ScanLineError("bad_check_digit", MSG_BAD_CHECK_DIGIT)
    account_number = digits[:ACCOUNT_DIGITS]
    _check_account(account_number)
    return ScanLine(
        account_number=account_number,
        amount_due_cents=int(digits[ACCOUNT_DIGITS:-1]),
        check_digit=int(digits[-1]),
    )
