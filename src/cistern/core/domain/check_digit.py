"""Mod-10 (Luhn) check digits: account numbers and the bill stub's scan line.

The Luhn check catches every single-digit keying error and most adjacent transpositions,
which is what a cashier typing an account number or an OCR reader misreading a stub makes.
"""


def luhn_check_digit(digits: str) -> int:
    """The digit that, appended to ``digits``, makes a valid Luhn number."""
    if not digits.isdigit():
        raise ValueError(f"check digits are computed over digits only, not {digits!r}")
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # these double once the check digit is appended
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def luhn_is_valid(number: str) -> bool:
    """True when ``number``'s last digit is the Luhn check digit of the rest."""
    if len(number) < 2 or not number.isdigit():
        return False
    return luhn_check_digit(number[:-1]) == int(number[-1])


def with_check_digit(digits: str) -> str:
    return f"{digits}{luhn_check_digit(digits)}"
