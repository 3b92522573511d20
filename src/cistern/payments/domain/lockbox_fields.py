"""Reading the fields of one lockbox line: each reader returns a value or refuses the field.

Rule (docs/decisions/payments-domain.md, "Lockbox CSV layout"): the bank's file is ours
to define, so every field has one strict form — ASCII digits only (``int()`` and
``Decimal()`` would accept other scripts' digits), dollars with exactly two decimals,
ISO dates. A refusal says which column, what was found and what the layout expects.
"""

from __future__ import annotations

import re
from datetime import date

from cistern.payments.domain.lockbox_layout import TRAILER_TAG

MAX_ITEM_AMOUNT_CENTS = 999_999_999  # $9,999,999.99: one payment, as on the scan line
MAX_SHOWN_VALUE = 40  # characters of a bad value quoted back in a message

_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,20}")
_DIGITS = re.compile(r"[0-9]+")
_AMOUNT = re.compile(r"([0-9]+)\.([0-9]{2})")
_DECIMAL_SHAPE = re.compile(r"-?[0-9]*\.?[0-9]*")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# C0 controls, DEL and the C1 controls: U+0000-U+001F and U+007F-U+009F.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
MAX_CHECK_NUMBER_DIGITS = 15
MAX_PAYER_NAME = 100
MAX_ITEM_SEQUENCE_DIGITS = 9


class FieldError(ValueError):
    """One field that does not follow the layout; ``reason`` names the column."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def shown(value: str) -> str:
    """A bad value quoted back to the reader, cut short if long."""
    if len(value) > MAX_SHOWN_VALUE:
        value = value[:MAX_SHOWN_VALUE] + "…"
    return f"“{value}”"


def read_batch_id(value: str) -> str:
    if not _BATCH_ID.fullmatch(value) or value.upper() == TRAILER_TAG:
        raise FieldError(
            "bad_batch_id",
            f"batch_id {shown(value)} must be 1 to 20 letters, digits, dashes or underscores "
            "(and not TRAILER).",
        )
    return value


def read_item_sequence(value: str) -> int:
    if not _DIGITS.fullmatch(value) or len(value) > MAX_ITEM_SEQUENCE_DIGITS or int(value) < 1:
        raise FieldError(
            "bad_item_sequence",
            f"item_sequence {shown(value)} must be a whole number from 1 to 999999999.",
        )
    return int(value)


def read_amount(value: str, *, column: str, max_cents: int) -> int:
    """Dollars with exactly two decimals (``123.45``) -> cents. Zero is allowed here."""
    match = _AMOUNT.fullmatch(value)
    if match is None:
        raise _amount_error(value, column)
    cents = int(match.group(1)) * 100 + int(match.group(2))
    if cents > max_cents:
        raise FieldError("amount_too_large", f"{column} {shown(value)} is too large.")
    return cents


def _amount_error(value: str, column: str) -> FieldError:
    if value.startswith("-"):
        return FieldError("negative_amount", f"{column} {shown(value)} is negative.")
    if _DECIMAL_SHAPE.fullmatch(value) and "." in value and len(value.split(".")[1]) > 2:
        return FieldError(
            "too_many_decimals", f"{column} {shown(value)} has more than two decimal places."
        )
    return FieldError(
        "bad_amount",
        f"{column} {shown(value)} is not an amount in dollars with two decimals, like 123.45.",
    )


def read_item_amount(value: str) -> int:
    cents = read_amount(value, column="amount_paid", max_cents=MAX_ITEM_AMOUNT_CENTS)
    if cents == 0:
        raise FieldError("zero_amount", "amount_paid is 0.00; a payment must be more than zero.")
    return cents


def read_check_number(value: str) -> str:
    """Empty (no check) or up to 15 digits."""
    if value and not (_DIGITS.fullmatch(value) and len(value) <= MAX_CHECK_NUMBER_DIGITS):
        raise FieldError(
            "bad_check_number",
            f"check_number {shown(value)} must be empty or up to 15 digits.",
        )
    return value


def has_control_characters(text: str) -> bool:
    """True if ``text`` holds a C0 or C1 control character or DEL (one regex scan)."""
    return _CONTROL.search(text) is not None


def read_payer_name(value: str) -> str:
    """Free text, may be empty; no control characters; at most 100 characters."""
    if has_control_characters(value):
        raise FieldError("bad_payer_name", "payer_name contains control characters.")
    return read_payer_name_of_clean_line(value)


def read_payer_name_of_clean_line(value: str) -> str:
    """``read_payer_name`` for a field of a line already found free of control characters
    (the reader scans each line once)."""
    if len(value) > MAX_PAYER_NAME:
        raise FieldError(
            "bad_payer_name", f"payer_name is longer than {MAX_PAYER_NAME} characters."
        )
    return value


def read_date(value: str, *, column: str) -> date:
    """An ISO date, ``YYYY-MM-DD``, and a real one."""
    if _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise FieldError(
        "bad_date", f"{column} {shown(value)} is not a date written YYYY-MM-DD (e.g. 2025-03-14)."
    )


def read_count(value: str, *, column: str) -> int:
    if not _DIGITS.fullmatch(value) or len(value) > MAX_ITEM_SEQUENCE_DIGITS:
        raise FieldError("bad_count", f"{column} {shown(value)} must be a whole number.")
    return int(value)
