"""Demo premises, laid out parcel by parcel along the district's streets.

A *site* is one parcel (one APN) and the premises on it: a house; a master-metered
apartment building (2-40 dwelling units); a condominium building whose units are metered
one by one and share the parcel's APN; a mobilehome park whose spaces do the same; a
business, plant, school or church, sometimes with a separate fire service; an irrigated
landscape. Shares of premises by class (percent): single-family 85, multi-family 6,
mobilehome 1, commercial 5, industrial 1, institutional 1, irrigation 1, plus fire services.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from cistern.demo.domain.draw import Weighted, between, pick
from cistern.demo.domain.meters import MeterShop
from cistern.demo.domain.places import StreetGrid, apn
from cistern.demo.domain.plan import PremisePlan

# site kind -> share of premises (percent)
PREMISE_SHARES = {
    "sfr": 85.0,
    "mfr": 4.2,
    "condo": 1.8,
    "mobilehome": 1.0,
    "commercial": 5.0,
    "industrial": 1.0,
    "institutional": 1.0,
    "irrigation": 1.0,
}
PREMISE_CLASS = {"condo": "mfr"}  # site kind -> premise class where they differ
FIRE_SERVICE_SHARE = {"commercial": 0.3, "industrial": 0.5, "institutional": 0.4, "mfr": 0.5}
_DWELLING_DRAW = Weighted((((2, 2), 30), ((3, 4), 30), ((5, 12), 25), ((13, 40), 15)))


@dataclass(slots=True)
class Site:
    kind: str
    town: str
    premises: list[PremisePlan]  # the metered premises customers are billed at
    fire: PremisePlan | None = None  # a fire service on the same parcel
    tags: dict[str, int] = field(default_factory=dict)


class SiteMaker:
    """Walks the street grid and makes sites in a deterministic, realistic mix."""

    def __init__(self, rng: random.Random, today: date, *, target_premises: int) -> None:
        self._rng = rng
        self._grid = StreetGrid(rng)
        self._meters = MeterShop(rng, today)
        self._max_spaces = max(2, min(40, target_premises // 500))
        self._max_condo = max(2, min(10, target_premises // 100))
        averages = {
            "condo": (2 + self._max_condo) / 2,
            "mobilehome": (2 + self._max_spaces) / 2,
        }
        self._kinds = list(PREMISE_SHARES)
        self._kind_draw = Weighted(
            [(k, v / averages.get(k, 1.0)) for k, v in PREMISE_SHARES.items()]
        )
        self._street = None
        self._lots_left = 0
        self._number = 0
        self._parcel = 0
        self._made = 0

    def next_site(self) -> Site:
        # The first sites are one of each kind, so even a tiny district has every class.
        if self._made < len(self._kinds):
            kind = self._kinds[self._made]
        else:
            kind = self._kind_draw.draw(self._rng)
        self._made += 1
        return self._site(kind)

    def _site(self, kind: str) -> Site:
        rng = self._rng
        street, number, parcel = self._next_lot()
        parcel_apn = apn(street, parcel)
        units = [""]
        dwelling_units = 1
        if kind == "mfr":
            low, high = _DWELLING_DRAW.draw(rng)
            dwelling_units = between(rng, low, high)
        elif kind == "condo":
            units = [f"Unit {n}" for n in range(1, between(rng, 2, self._max_condo) + 1)]
        elif kind == "mobilehome":
            units = [f"Sp {n}" for n in range(1, between(rng, 2, self._max_spaces) + 1)]
        premise_class = PREMISE_CLASS.get(kind, kind)
        meter_class = "condo" if kind == "condo" else premise_class
        premises = [
            PremisePlan(
                street_number=number,
                street_name=street.name,
                unit=unit,
                city=street.town.name,
                postal_code=street.zip,
                apn=parcel_apn,
                premise_class=premise_class,
                dwelling_units=dwelling_units,
                town=street.town.name,
                meter=self._meters.meter_for(meter_class, dwelling_units=dwelling_units),
            )
            for unit in units
        ]
        site = Site(kind=kind, town=street.town.name, premises=premises)
        fire_share = FIRE_SERVICE_SHARE.get(kind, 0.0)
        if kind == "mfr" and dwelling_units < 13:
            fire_share = 0.0
        if rng.random() < fire_share:
            site.fire = PremisePlan(
                street_number=number,
                street_name=street.name,
                unit="",
                city=street.town.name,
                postal_code=street.zip,
                apn=parcel_apn,
                premise_class="fire",
                dwelling_units=0,
                town=street.town.name,
                meter=self._meters.meter_for("fire"),
            )
        return site

    def _next_lot(self):
        rng = self._rng
        if self._street is None or self._lots_left == 0:
            self._street = self._grid.new_street()
            self._lots_left = between(rng, 15, 110)
            self._number = between(rng, 1, 40) * 100 + pick(rng, (0, 1))
            self._parcel = 0
        self._number += pick(rng, (2, 4, 4, 6, 8, 10, 12))
        self._parcel += 1
        if self._parcel > 99:
            self._street = self._grid.continue_street(self._street)
            self._parcel = 1
        self._lots_left -= 1
        return self._street, str(self._number), self._parcel
