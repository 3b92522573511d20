"""The demo district's geography: its towns, ZIP codes, street names and parcel numbers.

Arroyo Verde Water District is fictional. Its towns are laid out street by street; each
street gets an assessor's book and page, and each parcel on it a two-digit parcel number,
so APNs ("123-456-78") are unique per parcel and run in order along the street.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from cistern.demo.domain.draw import Weighted, pick

DISTRICT_NAME = "Arroyo Verde Water District"
DISTRICT_ADDRESS = ("1200 Mission Blvd", "Arroyo Verde", "CA", "95901")
DISTRICT_PHONE = "(530) 555-0100"
DISTRICT_EMAIL = "customerservice@arroyoverde.example"
DISTRICT_HOURS = "Monday-Friday 8:00 a.m.-5:00 p.m.; payment drop box open 24 hours"
AREA_CODES = ("530", "530", "530", "916", "279")


@dataclass(frozen=True)
class Town:
    name: str
    zips: tuple[str, ...]
    weight: int  # share of the district's parcels, in percent
    book_start: int  # the assessor's first book number for this town
    rural: bool = False  # rural parcels are on septic more often and billed bi-monthly


TOWNS: tuple[Town, ...] = (
    Town("Arroyo Verde", ("95901", "95903"), 45, 101),
    Town("Mesa Linda", ("95910",), 25, 301),
    Town("Cedar Flat", ("95915", "95916"), 20, 401),
    Town("Dry Creek", ("95918",), 10, 501, rural=True),
)

_STREET_BASES_TEXT = (
    "Oak Maple Sycamore Cedar Walnut Willow Juniper Manzanita Madrone Laurel Alder Aspen "
    "Cypress Redwood Sequoia Magnolia Orchard Vineyard Olive Almond Citrus Poppy Lupine "
    "Sierra Shasta Tahoe Feather Yuba Sutter Butte Plumas Lassen Mission Cabrillo Portola "
    "Serra Anza Fremont Sutter Bidwell Marshall Pioneer Ranch Canyon Mesa Vista Arroyo Sunset "
    "Sunrise Meadow Valley Ridge Hillcrest Lakeview Riverside Creekside Quail Heron Hawk "
    "Falcon Sparrow Cardinal Robin Bluebird Mockingbird Acacia Jacaranda Camellia Azalea "
    "Gardenia Hibiscus Primrose Lincoln Washington Jefferson Madison Franklin Main Church "
    "Park Spring Mill Center Railroad Depot Granite Quartz Silver Gold Copper Iron Palomino "
    "Mustang Appaloosa Rancho Hacienda Alameda Camino Paseo Bonita Linda Hermosa Esperanza "
    "Alegre Tranquilo Primavera Dorado Encina Roble Alamo Nogal Pino Ciprés Monterey Carmel "
    "Sonoma Napa Merced Fresno Kern Tulare Modoc Inyo Mono Alpine Colusa"
)
STREET_BASES = tuple(_STREET_BASES_TEXT.split())
STREET_SUFFIXES = ("St", "Ave", "Way", "Dr", "Ct", "Ln", "Rd", "Blvd", "Cir", "Pl")
OUT_OF_AREA = (
    ("Sacramento", "95814"),
    ("San Jose", "95112"),
    ("Oakland", "94612"),
    ("Fresno", "93721"),
    ("Los Angeles", "90012"),
    ("Reno", "89501"),
)

_TOWN_DRAW = Weighted([(t, t.weight) for t in TOWNS])


@dataclass(frozen=True)
class Street:
    town: Town
    name: str  # "Oak Ave"
    zip: str
    book: int
    page: int


class StreetGrid:
    """Hands out streets town by town and parcels along them, never repeating an APN."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: dict[str, set[str]] = {t.name: set() for t in TOWNS}
        self._pages: dict[str, int] = {t.name: 0 for t in TOWNS}

    def new_street(self) -> Street:
        town = _TOWN_DRAW.draw(self._rng)
        used = self._used[town.name]
        name = ""
        while not name or name in used:
            name = f"{pick(self._rng, STREET_BASES)} {pick(self._rng, STREET_SUFFIXES)}"
            if len(used) > len(STREET_BASES) * len(STREET_SUFFIXES) * 0.9:
                name = f"{name} {len(used)}"  # a very large district: numbered extensions
        used.add(name)
        return self._street(town, name, pick(self._rng, town.zips))

    def _street(self, town: Town, name: str, zip_code: str) -> Street:
        self._pages[town.name] += 1
        sequence = self._pages[town.name]
        book = town.book_start + sequence // 999
        page = sequence % 999 + 1
        return Street(town, name, zip_code, book, page)

    def continue_street(self, street: Street) -> Street:
        """The same street on a new assessor's page (a street with more than 99 parcels)."""
        return self._street(street.town, street.name, street.zip)


def apn(street: Street, parcel: int) -> str:
    """Assessor's parcel number: book-page-parcel, "123-456-78"."""
    return f"{street.book:03d}-{street.page:03d}-{parcel:02d}"
