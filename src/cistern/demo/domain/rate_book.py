"""The demo district's rate book: the schedules a California district adopts, as documents.

Pure data. Each schedule is a name, a service, the premise classes it serves and its
versions, each version a rate document in the form the rate editor stores
(``cistern.rates.serialization``): decimals as strings, fixed amounts per 30-day month,
full months 28 to 31 days (a bi-monthly period is prorated by its days, so it pays two
months). Two versions per schedule: the rates in force when the history starts, and a
cost-of-service increase adopted by resolution and effective on ``change_on``, inside the
history, so bills that straddle it prorate both versions.

The shape follows common Proposition 218 rate structures: water service charge by meter
size for every customer; single-family (and mobilehome) use in three inclining tiers;
multi-family tiers scaled by dwelling units; commercial, industrial and institutional use
at one uniform price; irrigation meters with their own meter charge and price; private
fire lines by size; single-family sewer as a fixed charge plus use capped at the winter
average, multi-unit sewer flat per dwelling unit, non-residential sewer by volume returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

RESIDENTIAL_TIERED = ("mobilehome", "sfr")
NON_RESIDENTIAL = ("commercial", "industrial", "institutional")

# Monthly water service charge by meter size, in dollars (the first version).
SERVICE_CHARGE = {
    '5/8"': "28.40",
    '3/4"': "36.10",
    '1"': "52.75",
    '1-1/2"': "96.20",
    '2"': "148.60",
    '3"': "295.00",
    '4"': "462.40",
    '6"': "918.80",
    '8"': "1468.50",
    '10"': "2110.00",
}
IRRIGATION_CHARGE = {size: str(Decimal(v) * Decimal("0.85")) for size, v in SERVICE_CHARGE.items()}
FIRE_LINE_CHARGE = {
    '5/8"': "9.80", '3/4"': "9.80", '1"': "12.40", '1-1/2"': "16.90", '2"': "21.60",
    '3"': "29.30", '4"': "38.50", '6"': "74.20", '8"': "118.90", '10"': "171.00",
}  # fmt: skip


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    service: str
    classes: tuple[str, ...]
    description: str
    versions: tuple[dict[str, Any], ...]  # rate documents, oldest first


@dataclass(frozen=True)
class Adoption:
    """A version's effective date and the resolution that adopted it."""

    effective_from: date
    resolution_number: str
    resolution_date: date
    increase: Decimal  # applied to every price and charge of the first version (1 = none)


def adoptions(*, first_on: date, change_on: date) -> tuple[Adoption, Adoption]:
    """The rates in force from ``first_on`` and the increase effective ``change_on``."""
    first = Adoption(first_on, f"{first_on.year}-21", first_on - timedelta(days=44), Decimal(1))
    change = Adoption(
        change_on, f"{change_on.year}-{change_on.month:02d}7", change_on - timedelta(days=41),
        Decimal("1.065"),
    )  # fmt: skip
    return first, change


def rate_book(*, first_on: date, change_on: date) -> list[ScheduleSpec]:
    """Every schedule of the demo district, each with its two versions."""
    both = adoptions(first_on=first_on, change_on=change_on)
    return [
        _spec("Water service charge", "water", (), "Monthly charge by meter size.",
              both, _service_charge),
        _spec("Residential water use", "water", RESIDENTIAL_TIERED,
              "Three inclining tiers per month: 0-8, 8-20 and over 20 CCF.", both, _residential),
        _spec("Multi-family water use", "water", ("mfr",),
              "Tiers per dwelling unit: 0-5, 5-10 and over 10 CCF a unit.", both, _multi_family),
        _spec("Non-residential water use", "water", NON_RESIDENTIAL,
              "One uniform price per CCF.", both, _uniform),
        _spec("Irrigation", "irrigation", ("irrigation",),
              "Dedicated landscape meters: meter charge and one price per CCF.", both,
              _irrigation),
        _spec("Private fire line", "fire_line", ("fire",),
              "Monthly standby charge by fire service size.", both, _fire_line),
        _spec("Single-family sewer", "sewer", ("sfr",),
              "Fixed charge plus use, capped at 10 CCF a month (winter average).", both,
              _sewer_single_family),
        _spec("Multi-unit sewer", "sewer", ("mfr", "mobilehome"),
              "Flat monthly charge per dwelling unit.", both, _sewer_multi_unit),
        _spec("Non-residential sewer", "sewer", NON_RESIDENTIAL,
              "Fixed charge plus 90% of water use returned to the sewer.", both,
              _sewer_non_residential),
    ]  # fmt: skip


def _spec(
    name: str,
    service: str,
    classes: tuple[str, ...],
    description: str,
    adopted: tuple[Adoption, ...],
    components: Any,
) -> ScheduleSpec:
    versions = tuple(_document(a, components(a.increase)) for a in adopted)
    return ScheduleSpec(name, service, classes, description, versions)


def _document(adoption: Adoption, components: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "effective_from": adoption.effective_from.isoformat(),
        "resolution_number": adoption.resolution_number,
        "resolution_date": adoption.resolution_date.isoformat(),
        "nominal_days": 30,
        "normal_days": [28, 31],
        "components": components,
    }


def _up(amount: str, increase: Decimal, places: str = "0.01") -> str:
    """``amount`` raised by ``increase``, rounded to the tariff's printed precision."""
    return str((Decimal(amount) * increase).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _by_meter(table: dict[str, str], increase: Decimal) -> dict[str, str]:
    return {size: _up(amount, increase) for size, amount in table.items()}


def _tiers(starts: tuple[str, ...], prices: tuple[str, ...], k: Decimal) -> list[dict[str, str]]:
    return [{"start": s, "price": _up(p, k, "0.0001")} for s, p in zip(starts, prices, strict=True)]


def _service_charge(k: Decimal) -> list[dict[str, Any]]:
    return [{"kind": "fixed", "code": "service", "label": "Water service charge",
             "by_meter": _by_meter(SERVICE_CHARGE, k)}]  # fmt: skip


def _residential(k: Decimal) -> list[dict[str, Any]]:
    return [{"kind": "tiered", "code": "use", "label": "Water use", "unit": "ccf",
             "tiers": _tiers(("0", "8", "20"), ("4.12", "5.06", "6.58"), k)}]  # fmt: skip


def _multi_family(k: Decimal) -> list[dict[str, Any]]:
    return [{"kind": "tiered", "code": "use", "label": "Water use", "unit": "ccf",
             "scale_by_dwelling_units": True,
             "tiers": _tiers(("0", "5", "10"), ("3.98", "4.87", "6.21"), k)}]  # fmt: skip


def _uniform(k: Decimal) -> list[dict[str, Any]]:
    return [{"kind": "tiered", "code": "use", "label": "Water use", "unit": "ccf",
             "tiers": _tiers(("0",), ("4.65",), k)}]  # fmt: skip


def _irrigation(k: Decimal) -> list[dict[str, Any]]:
    return [
        {"kind": "fixed", "code": "meter", "label": "Irrigation meter charge",
         "by_meter": _by_meter(IRRIGATION_CHARGE, k)},
        {"kind": "tiered", "code": "use", "label": "Irrigation use", "unit": "ccf",
         "tiers": _tiers(("0",), ("5.42",), k)},
    ]  # fmt: skip


def _fire_line(k: Decimal) -> list[dict[str, Any]]:
    return [{"kind": "fixed", "code": "standby", "label": "Fire service standby charge",
             "by_meter": _by_meter(FIRE_LINE_CHARGE, k)}]  # fmt: skip


def _sewer_single_family(k: Decimal) -> list[dict[str, Any]]:
    sewer_k = 1 + (k - 1) * Decimal("0.6")  # sewer rose less than water
    return [
        {"kind": "fixed", "code": "sewer_base", "label": "Sewer service charge",
         "flat": _up("32.15", sewer_k)},
        {"kind": "sewer", "code": "sewer_use", "label": "Sewer use (capped)", "unit": "ccf",
         "price": _up("1.84", sewer_k, "0.0001"), "cap_kind": "winter_average", "cap": "10"},
    ]  # fmt: skip


def _sewer_multi_unit(k: Decimal) -> list[dict[str, Any]]:
    sewer_k = 1 + (k - 1) * Decimal("0.6")
    return [{"kind": "fixed", "code": "sewer_units", "label": "Sewer charge per dwelling unit",
             "per_dwelling_unit": _up("41.60", sewer_k)}]  # fmt: skip


def _sewer_non_residential(k: Decimal) -> list[dict[str, Any]]:
    sewer_k = 1 + (k - 1) * Decimal("0.6")
    return [
        {"kind": "fixed", "code": "sewer_base", "label": "Sewer service charge",
         "flat": _up("45.00", sewer_k)},
        {"kind": "sewer", "code": "sewer_use", "label": "Sewer use", "unit": "ccf",
         "price": _up("3.95", sewer_k, "0.0001"), "return_factor": "0.9"},
    ]  # fmt: skip
