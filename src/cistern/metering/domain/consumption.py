"""Consumption from two register reads, with dial rollover.

A meter register has ``dials`` digits and wraps to zero after ``10**dials - 1``. When the
current read is below the previous one, the meter either rolled over (it passed its top
value) or the read is wrong (misread, swapped meter, backflow). A rollover is accepted as
the likely cause only when the implied use is a small part of the register's capacity
(``ROLLOVER_PLAUSIBLE_FRACTION``); otherwise the drop is negative consumption. Either way
the read is held for review, because a human should confirm a wrap.

Raw register values are integers as the dials show them; the meter's multiplier turns
register units into volume in the meter's unit of measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

ROLLOVER_PLAUSIBLE_FRACTION = Decimal("0.10")


class Movement(StrEnum):
    FORWARD = "forward"
    ROLLOVER = "rollover"
    NEGATIVE = "negative"


@dataclass(frozen=True, slots=True)
class Consumption:
    movement: Movement
    register_units: int  # raw register difference (negative only for NEGATIVE)
    volume: Decimal  # register_units x multiplier, in the meter's unit


def consumption_between(
    *, previous_raw: int, current_raw: int, dials: int, multiplier: Decimal
) -> Consumption:
    """The use between two reads of the same register."""
    if dials < 1:
        raise ValueError("a register has at least one dial")
    capacity = 10**dials
    for value in (previous_raw, current_raw):
        if not 0 <= value < capacity:
            raise ValueError(f"read {value} does not fit a {dials}-dial register")
    if current_raw >= previous_raw:
        units = current_raw - previous_raw
        return Consumption(Movement.FORWARD, units, units * multiplier)
    wrapped = capacity - previous_raw + current_raw
    if Decimal(wrapped) <= capacity * ROLLOVER_PLAUSIBLE_FRACTION:
        return Consumption(Movement.ROLLOVER, wrapped, wrapped * multiplier)
    units = current_raw - previous_raw
    return Consumption(Movement.NEGATIVE, units, units * multiplier)
