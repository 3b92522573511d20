"""A rate schedule version, as data.

A district adopts its rates by resolution; each adopted version is effective from
a date and is never edited once it has been used on a posted bill (a change is a
new version). Everything a published tariff says is expressed by the frozen
dataclasses below, so a district enters its schedule without code, the Django
layer stores it as JSON, and the OWRS reader builds it.

Conventions used by every component:

- Prices are exact `Decimal` dollars per unit (per CCF, per 1,000 gallons...) or
  per period; they are never rounded before the line total is.
- Fixed amounts, tier bounds, thresholds and caps are stated for the version's
  nominal period (`nominal_days`, e.g. 30 for monthly, 60 for bi-monthly) and are
  prorated by days for short and long periods (see `proration.py`).
- `Applicability` narrows a component to customer classes, in- or out-of-district
  service, pressure/pumping zones and months (seasonal rates). Empty means "all".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from cistern.rates.domain.rounding import RoundingRule
from cistern.rates.domain.units import VolumeUnit

_ZERO = Decimal(0)


class District(StrEnum):
    """Whether a service address is inside the district's boundary."""

    IN = "in"
    OUT = "out"


class SeasonBasis(StrEnum):
    """How seasonal components pick their months."""

    SERVICE_DAYS = "service_days"  # prorate by the days of the period in each season
    PERIOD_END = "period_end"  # the whole period takes the season of its last service day


@dataclass(frozen=True, slots=True)
class Applicability:
    """Which accounts and which service days a component applies to (empty = all)."""

    classes: frozenset[str] = frozenset()
    district: District | None = None
    zones: frozenset[str] = frozenset()
    months: frozenset[int] = frozenset()  # 1..12; seasonal components only


ALWAYS = Applicability()


@dataclass(frozen=True, slots=True)
class FixedCharge:
    """A charge per period: service, system improvement, readiness-to-serve, fire line...

    amount = (flat + by_meter[size] + per_dwelling_unit x dwelling units) / installments,
    per nominal period, prorated by days. `meter_attribute` names the account's
    meter used for the lookup ("meter_size" or "fire_meter_size"); an account
    without that meter is not charged. An annual charge billed in twelve monthly
    installments is `flat=annual, installments=12`. When `dormant_meter_size` is
    set and the bill's usage is zero, the charge is priced as that meter size
    (an idle irrigation meter pays the 5/8" base).
    """

    code: str
    label: str
    flat: Decimal = _ZERO
    by_meter: Mapping[str, Decimal] = field(default_factory=dict)
    per_dwelling_unit: Decimal = _ZERO
    meter_attribute: str = "meter_size"
    installments: int = 1
    dormant_meter_size: str | None = None
    applies: Applicability = ALWAYS
    kind: str = "fixed"


@dataclass(frozen=True, slots=True)
class Tier:
    """One block: from `start` (continuous lower bound, in the table's unit) at `price`."""

    start: Decimal
    price: Decimal
    label: str = ""  # e.g. "Allowance included in base charge" for a price-0 first block


@dataclass(frozen=True, slots=True)
class TieredCharge:
    """Volumetric charge in blocks (inclining, declining or uniform = one block).

    Bounds are continuous: starts (0, 8, 15) bill "0-8, 8-15, over 15". A tariff
    written in whole-unit blocks ("0-4, 5-16, 17-30, 31+") is entered as starts
    (0, 4, 16, 30) with `whole_units=True`: usage is rounded down to a whole unit
    of `unit` before rating (meters register whole units; fractions are not
    carried over). `starts_by_meter` replaces the starts for listed meter sizes;
    `scale_by_dwelling_units` multiplies every start by the dwelling units (starts
    then read "per unit"). `first_tier` (1-based) makes a class begin at a later
    block: the blocks below are dropped and the rest shift down to start at 0.
    `out_of_district_prices` replaces the prices for out-of-district service.
    """

    code: str
    label: str
    unit: VolumeUnit
    tiers: tuple[Tier, ...]
    starts_by_meter: Mapping[str, tuple[Decimal, ...]] = field(default_factory=dict)
    scale_by_dwelling_units: bool = False
    whole_units: bool = False
    first_tier: int = 1
    out_of_district_prices: tuple[Decimal, ...] | None = None
    applies: Applicability = ALWAYS
    kind: str = "tiered"


class BudgetStartKind(StrEnum):
    """How a water-budget tier's lower bound is given."""

    ZERO = "zero"
    INDOOR = "indoor"  # the indoor budget
    BUDGET_FRACTION = "budget_fraction"  # value x total budget (1 = 100%)
    UNITS = "units"  # a fixed number of CCF per nominal period


@dataclass(frozen=True, slots=True)
class BudgetTier:
    """One water-budget block, starting at a bound computed from the account's budget."""

    start_kind: BudgetStartKind
    price: Decimal  # dollars per CCF
    value: Decimal = _ZERO  # the fraction or the units, per `start_kind`


@dataclass(frozen=True, slots=True)
class BudgetTieredCharge:
    """Allocation-based tiers (California water budgets), all in CCF.

    indoor  = gpcd x household size x days / 748
    outdoor = landscape factor x ET (inches) x irrigated area (sq ft) x 0.62 / 748
    budget  = indoor + outdoor + the account's variance (medical, large household, pool)

    `days` are the service days of the period; ET is the period's
    evapotranspiration for the account's zone. An account's own landscape factor,
    when given, replaces `landscape_factor`. Irrigation-only meters set
    `include_indoor=False`.
    """

    code: str
    label: str
    tiers: tuple[BudgetTier, ...]
    gpcd: Decimal = Decimal(60)
    landscape_factor: Decimal = Decimal("0.7")
    include_indoor: bool = True
    include_outdoor: bool = True
    applies: Applicability = ALWAYS
    kind: str = "budget"


@dataclass(frozen=True, slots=True)
class VolumetricSurcharge:
    """A per-unit surcharge: shortage stage, pumping/elevation zone, wholesale pass-through, tax.

    Charged on usage above `threshold` (0 = on all use; per nominal period,
    prorated). Narrow to a zone with `applies.zones`.
    """

    code: str
    label: str
    unit: VolumeUnit
    price: Decimal
    threshold: Decimal = _ZERO
    applies: Applicability = ALWAYS
    kind: str = "surcharge"


class SewerCap(StrEnum):
    """What limits the volume a sewer charge is billed on."""

    NONE = "none"
    FIXED = "fixed"  # `cap` units per nominal period
    WINTER_AVERAGE = "winter_average"  # the account's `sewer_cap_ccf`, per nominal period


@dataclass(frozen=True, slots=True)
class SewerVolumetric:
    """Sewer charged on water use x `return_factor`, limited by a cap.

    The price comes from `prices_by_strength[account.strength_class]` when that
    table is given (commercial sewer by strength class), else `price`. With a
    winter-average cap and no cap on the account, `cap` is used as the default.
    """

    code: str
    label: str
    unit: VolumeUnit
    price: Decimal = _ZERO
    prices_by_strength: Mapping[str, Decimal] = field(default_factory=dict)
    return_factor: Decimal = Decimal(1)
    cap_kind: SewerCap = SewerCap.NONE
    cap: Decimal | None = None
    applies: Applicability = ALWAYS
    kind: str = "sewer"


@dataclass(frozen=True, slots=True)
class MinimumCharge:
    """Tops a bill up to `amount` per nominal period (prorated).

    Compares with the lines of the components named in `codes` (all lines when
    empty) in the same rate-version part of the period; the difference is one line.
    """

    code: str
    label: str
    amount: Decimal
    codes: frozenset[str] = frozenset()
    applies: Applicability = ALWAYS
    kind: str = "minimum"


Component = (
    FixedCharge
    | TieredCharge
    | BudgetTieredCharge
    | VolumetricSurcharge
    | SewerVolumetric
    | MinimumCharge
)


@dataclass(frozen=True, slots=True)
class RateVersion:
    """One adopted version of a schedule, effective from `effective_from` until the next.

    `nominal_days` is the period length the amounts are stated for. A period whose
    length lies within `normal_days` (inclusive; defaults to exactly nominal) is a
    full period: fixed charges and tier widths apply unprorated. Any other length
    prorates by days / nominal_days. Components rate in the order given; a
    `MinimumCharge` sees only the lines produced before it.
    """

    version_id: str
    effective_from: date
    components: tuple[Component, ...]
    resolution_number: str = ""
    resolution_date: date | None = None
    rounding: RoundingRule = RoundingRule.HALF_UP
    nominal_days: int = 30
    normal_days: tuple[int, int] | None = None
    season_basis: SeasonBasis = SeasonBasis.SERVICE_DAYS
