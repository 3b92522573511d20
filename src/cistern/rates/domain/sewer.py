"""Sewer: the volumetric charge with its cap, and the winter average that sets the cap.

`SewerKernel` rates sewer on water use x return factor, priced by strength class
where the schedule says so, and limited by a fixed cap or the account's winter
average (prorated for the slice, as `charges.py` rates every component).

Most homes do not irrigate in winter, so winter water use approximates what goes
down the drain. A district averages each account's use over its winter periods
(e.g. November to March, or December to February), rounds the average down to a
whole unit, and caps the residential sewer charge at it from the following July
for a year. `winter_average` only computes the average; the yearly recomputation is a
service's job and the result reaches the engine as `RatingAttributes.sewer_cap_ccf`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from decimal import ROUND_FLOOR, Decimal

from cistern.rates.domain.bill import BillLine
from cistern.rates.domain.inputs import (
    NO_STRENGTH_PRICE,
    BillingPeriod,
    RatingAttributes,
    RatingError,
)
from cistern.rates.domain.lines import CACHE_LIMIT, NOTHING, Rated, volumetric_line
from cistern.rates.domain.schedule import SewerCap, SewerVolumetric
from cistern.rates.domain.slices import Metered, Slice
from cistern.rates.domain.units import VolumeUnit, convert

WINTER_NOV_TO_MAR = frozenset({11, 12, 1, 2, 3})
WINTER_DEC_TO_FEB = frozenset({12, 1, 2})
_ZERO = Decimal(0)
_CCF = VolumeUnit.CCF


def winter_average(
    usages: Iterable[tuple[BillingPeriod, Decimal]],
    months: frozenset[int] = WINTER_NOV_TO_MAR,
) -> Decimal | None:
    """Average usage over the winter periods, rounded down to a whole unit.

    A period is a winter period when its last service day falls in `months`.
    Returns None when there is no winter period (the caller applies the class
    default cap).
    """
    winter = [usage for period, usage in usages if period.last_day.month in months]
    if not winter:
        return None
    return (sum(winter, Decimal(0)) / len(winter)).to_integral_value(rounding=ROUND_FLOOR)


class SewerKernel:
    """Sewer on water use x return factor, limited by a fixed or winter-average cap."""

    __slots__ = ("caps", "charge", "key_reads", "reads", "unit_name")
    metered_key = "id"

    def __init__(self, charge: SewerVolumetric, *, remember: bool) -> None:
        self.charge = charge
        # the strength only when it chooses the price, the cap only when it is the account's
        strength = ("strength_class",) if charge.prices_by_strength else ()
        cap = ("sewer_cap_ccf",) if charge.cap_kind is SewerCap.WINTER_AVERAGE else ()
        self.reads: tuple[str, ...] = (*strength, *cap)
        self.key_reads: tuple[str, ...] = self.reads
        self.unit_name = str(charge.unit)
        # price, cap and the line at the cap by (slice, account); only when caching
        self.caps: dict[Hashable, _SewerTerms] | None = {} if remember else None

    def _price(self, attrs: RatingAttributes) -> Decimal:
        charge = self.charge
        if not charge.prices_by_strength:
            return charge.price
        found = charge.prices_by_strength.get(attrs.strength_class)
        if found is None:
            raise RatingError(
                NO_STRENGTH_PRICE.format(code=charge.code, strength=attrs.strength_class)
            )
        return found

    def _cap(self, s: Slice, attrs: RatingAttributes) -> Decimal | None:
        charge = self.charge
        if charge.cap_kind is SewerCap.NONE:
            return None
        cap = charge.cap
        if charge.cap_kind is SewerCap.WINTER_AVERAGE and attrs.sewer_cap_ccf is not None:
            cap = convert(attrs.sewer_cap_ccf, _CCF, charge.unit)
        return None if cap is None else s.prorate(cap)

    def _terms(
        self, caps: dict[Hashable, _SewerTerms], s: Slice, attrs: RatingAttributes
    ) -> _SewerTerms:
        """The price, the cap, and the line billed when usage reaches the cap (None: no line)."""
        cap_ccf = attrs.sewer_cap_ccf
        # the cap as written (str): an equal cap written with other digits shows so on the line
        key = (s.id, attrs.strength_class, None if cap_ccf is None else str(cap_ccf))
        found = caps.get(key)
        if found is None:
            price, cap = self._price(attrs), self._cap(s, attrs)
            at_cap = None
            if cap is not None and cap > 0:
                at_cap = self._line(s, cap, cap, price)
            found = (price, cap, at_cap)
            if len(caps) >= CACHE_LIMIT:
                caps.clear()
            caps[key] = found
        return found

    def _line(self, s: Slice, cap: Decimal | None, quantity: Decimal, price: Decimal) -> BillLine:
        charge = self.charge
        return volumetric_line(
            s, charge.code, charge.label, self.unit_name, 0, _ZERO, cap, quantity, price
        )

    def lines(self, m: Metered, attrs: RatingAttributes) -> Rated:
        charge, s = self.charge, m.slice
        if self.caps is None:
            price = self._price(attrs)
            cap, at_cap = self._cap(s, attrs), None
        else:
            price, cap, at_cap = self._terms(self.caps, s, attrs)
        quantity = m.usage_in(charge.unit) * charge.return_factor
        if cap is not None and quantity > cap:
            if at_cap is not None:
                return at_cap  # the same line for every usage above the cap
            quantity = cap
        if quantity > 0:
            return self._line(s, cap, quantity, price)
        return NOTHING


_SewerTerms = tuple[Decimal, Decimal | None, BillLine | None]  # price, cap, the line at the cap
