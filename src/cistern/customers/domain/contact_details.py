"""Phone numbers, ZIP codes, APNs and names as people type them, checked and normalized.

Pure functions: each returns the normalized value, or None when the input cannot be one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_STATE = re.compile(r"^[A-Z]{2}$")
_APN = re.compile(r"^\d[\d-]{4,18}\d$")


def phone_digits(text: str) -> str | None:
    """A North American number as its 10 digits ("(530) 555-0142" -> "5305550142").

    An 11-digit number starting with 1 loses the 1; anything else of other length is refused.
    """
    digits = re.sub(r"\D", "", text or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01":
        return None
    return digits


def phone_display(digits: str) -> str:
    """10 digits shown as "(530) 555-0142"; anything else is shown as stored."""
    if len(digits) == 10 and digits.isdigit():
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return digits


def postal_code_normal(text: str) -> str | None:
    """A US ZIP or ZIP+4 ("95616", "95616-1234"), or None."""
    cleaned = (text or "").strip()
    return cleaned if _ZIP.match(cleaned) else None


def state_normal(text: str) -> str | None:
    """A two-letter state code in capitals ("ca" -> "CA"), or None."""
    cleaned = (text or "").strip().upper()
    return cleaned if _STATE.match(cleaned) else None


def apn_normal(text: str) -> str | None:
    """An assessor's parcel number of digits and dashes ("069-231-014"); "" stays ""."""
    cleaned = (text or "").strip()
    if not cleaned:
        return ""
    return cleaned if _APN.match(cleaned) else None


@dataclass(frozen=True)
class Address:
    """A postal address as entered (mailing address, secondary bill-to)."""

    line1: str
    city: str
    state: str
    postal_code: str
    line2: str = ""
    country: str = "US"

    def normalized(self) -> Address:
        return Address(
            line1=" ".join(self.line1.split()),
            line2=" ".join(self.line2.split()),
            city=" ".join(self.city.split()),
            state=(self.state or "").strip().upper(),
            postal_code=(self.postal_code or "").strip(),
            country=(self.country or "US").strip().upper(),
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "state": self.state,
            "postal_code": self.postal_code,
            "country": self.country,
        }

    def one_line(self) -> str:
        line2 = f", {self.line2}" if self.line2 else ""
        return f"{self.line1}{line2}, {self.city} {self.state} {self.postal_code}"


def address_problem(address: Address) -> tuple[str, str] | None:
    """The first (field, problem key) wrong with a normalized address, or None when it is fine.

    Problem keys: "line1_missing", "city_missing", "state_invalid", "postal_code_invalid".
    """
    if not address.line1:
        return ("line1", "line1_missing")
    if not address.city:
        return ("city", "city_missing")
    if address.country == "US" and state_normal(address.state) is None:
        return ("state", "state_invalid")
    if address.country == "US" and postal_code_normal(address.postal_code) is None:
        return ("postal_code", "postal_code_invalid")
    return None
