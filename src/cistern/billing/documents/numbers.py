"""How numbers print on a bill (pure): quantities without trailing zeros, prices to the cent+."""

from __future__ import annotations

from decimal import Decimal


def quantity_text(value: Decimal | int | None) -> str:
    """``Decimal("12.5000")`` -> ``12.5``; ``10`` -> ``10``; thousands grouped."""
    if value is None:
        return ""
    number = Decimal(value).normalize()
    if number == number.to_integral():
        return f"{int(number):,}"
    text = f"{number:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def price_text(value: Decimal | None) -> str:
    """Dollars per unit with at least 2 and at most 6 decimals: ``$2.00``, ``$0.004125``."""
    if value is None:
        return ""
    number = Decimal(value).quantize(Decimal("0.000001"))
    text = f"{number:,f}"
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(2, "0")
    return f"${whole}.{fraction}"


def proration_text(value: Decimal) -> str:
    """The proration factor to at most 4 decimals: ``1``, ``0.5``, ``1.0333``."""
    return quantity_text(Decimal(value).quantize(Decimal("0.0001")))
