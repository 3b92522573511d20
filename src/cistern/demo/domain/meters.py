"""Demo meters: sizes by premise class, makes and models by size, unique serials.

Size mix follows what a California district's meter inventory looks like: homes on 5/8"
and 3/4" (some 1" for fire sprinklers or large lots), businesses 1" to 2", industry up to
6", fire services 4" to 8". About 60% of meters carry an AMI endpoint.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from cistern.demo.domain.draw import Weighted, between, pick
from cistern.demo.domain.plan import MeterPlan

AMI_SHARE = 0.6

# premise class -> ((size, weight), ...)
SIZE_MIX: dict[str, tuple[tuple[str, int], ...]] = {
    "sfr": (("5/8", 55), ("3/4", 35), ("1", 10)),
    "condo": (("5/8", 70), ("3/4", 30)),
    "mobilehome": (("5/8", 85), ("3/4", 15)),
    "commercial": (("3/4", 5), ("1", 40), ("1-1/2", 30), ("2", 25)),
    "industrial": (("2", 30), ("3", 30), ("4", 25), ("6", 15)),
    "institutional": (("1-1/2", 25), ("2", 40), ("3", 25), ("4", 10)),
    "irrigation": (("1", 40), ("1-1/2", 35), ("2", 25)),
    "fire": (("4", 40), ("6", 45), ("8", 15)),
}

# size -> ((make, model, serial prefix), ...)
_SMALL = (
    ("Badger Meter", "Recordall Disc", "BD"),
    ("Badger Meter", "E-Series Ultrasonic", "BE"),
    ("Neptune", "T-10", "NT"),
    ("Neptune", "MACH 10", "NM"),
    ("Sensus", "iPERL", "SI"),
    ("Sensus", "SR II", "SR"),
    ("Master Meter", "Octave", "MO"),
)
_LARGE = (
    ("Sensus", "OMNI C2 Compound", "SC"),
    ("Neptune", "HP Turbine", "NH"),
    ("Badger Meter", "Recordall Turbo", "BT"),
    ("Elster", "evoQ4", "EQ"),
)
_FIRE = (
    ("Neptune", "Protectus III", "NP"),
    ("Sensus", "OMNI F2", "SF"),
    ("Ames", "Detector Check", "AD"),
)
_SIZE_DRAWS = {kind: Weighted(mix) for kind, mix in SIZE_MIX.items()}
_LARGE_SIZES = frozenset({"3", "4", "6", "8", "10"})


class MeterShop:
    """Hands out meters with serials and AMI endpoint ids that never repeat."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self._rng = rng
        self._today = today
        self._serial = 0
        self._ami = 1_500_000_000

    def meter_for(self, premise_class: str, *, dwelling_units: int = 1) -> MeterPlan:
        rng = self._rng
        if premise_class == "mfr":
            size = _master_meter_size(dwelling_units)
        else:
            size = _SIZE_DRAWS[premise_class].draw(rng)
        if premise_class == "fire":
            make, model, prefix = pick(rng, _FIRE)
        elif size in _LARGE_SIZES:
            make, model, prefix = pick(rng, _LARGE)
        else:
            make, model, prefix = pick(rng, _SMALL)
        years_ago = between(rng, 0, 24)
        installed_on = self._today - timedelta(days=years_ago * 365 + between(rng, 1, 364))
        self._serial += between(rng, 1, 7)
        serial = f"{prefix}{installed_on.year % 100:02d}{self._serial:07d}"
        return MeterPlan(
            serial=serial,
            make=make,
            model=model,
            size=size,
            unit=self._unit(size),
            dials=7 if size in _LARGE_SIZES else 6,
            multiplier=10 if size in _LARGE_SIZES and rng.random() < 0.5 else 1,
            ami_endpoint_id=self._ami_id() if rng.random() < AMI_SHARE else "",
            installed_on=installed_on,
            install_read=between(rng, 0, 40) if years_ago < 2 else 0,
        )

    def _unit(self, size: str) -> str:
        roll = self._rng.random()
        if roll < 0.92:
            return "ccf"
        if roll < 0.95:
            return "cf"
        return "kgal" if size in _LARGE_SIZES else "gal"

    def _ami_id(self) -> str:
        self._ami += between(self._rng, 1, 97)
        return str(self._ami)


def _master_meter_size(dwelling_units: int) -> str:
    if dwelling_units <= 4:
        return "1"
    if dwelling_units <= 12:
        return "1-1/2"
    if dwelling_units <= 24:
        return "2"
    return "3"
