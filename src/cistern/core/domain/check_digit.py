"""Mod-10 (Luhn) check digits: account numbers and the bill stub's scan line.

The Luhn check catches every single-digit keying error and most adjacent transpositions,
which is what a cashier typing an account number or an OCR reader misreading a stub makes.
"""


def luhn_check_digit(digits: str) -> int:
    """The digit that, appended to ``digits``, makes a valid Luhn number."""
    if not digits.isdigit():
        raise ValueError(f"check digits are computed over digits only, not {digits!r}")
    # From the right, every other digit (starting with the last) doubles once the check digit
    # is appended; a doubled digit over 9 counts its digit sum (_DOUBLED). Slices and
    # ``map`` instead of a loop per digit: a lockbox file checks 200,000 numbers.
    backwards = digits[::-1]
    doubled = sum(map(_DOUBLED.__getitem__, map(int, backwards[0::2])))
    total = doubled + sum(map(int, backwards[1::2]))
    return (10 - total % 10) % 10


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_is_valid(number: str) -> bool:
    """True when ``number``'s last digit is the Luhn check digit of the rest."""
    if len(number) < 2 or not number.isdigit():
        return False
    return luhn_check_digit(number[:-1]) == int(number[-1])


def with_check_digit(digits: str) -> str:
    return f"{digits}{luhn_check_digit(digits)}"
