"""Read validation: which reads are held as exceptions before billing, and why.

A read is checked against the meter's installation at the premise, the previous read of the
same installation, and the account's history. Each failed check is an exception code; a
read with any exception is held for a person to release (with a reason), correct, or send
out for a reread. Checks (reference/rates-and-reads.md, "Validation before billing"):

- ROLLOVER: the register wrapped past its top value (see consumption.py).
- NEGATIVE: the read is below the previous one and is not a plausible rollover.
- ZERO: no use on an active account over the period.
- HIGH / LOW: use per day above ``high_factor`` x, or below ``low_factor`` x, the baseline
  per day; the baseline is the same period last year when known, else the recent average.
  Tiny baselines are ignored below ``min_baseline_per_day`` so a 0 -> 1 CCF change does not
  raise HIGH.
- BEFORE_INSTALL / AFTER_REMOVAL: the read date is outside the installation.
- DUPLICATE: the same meter already has a read at that moment (or the same value that day).
- CHANGE_OUT: the meter was changed in the period and the old meter's final read is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from cistern.metering.domain.consumption import Movement, consumption_between


class ReadException(StrEnum):
    ROLLOVER = "rollover"
    NEGATIVE = "negative"
    ZERO = "zero"
    HIGH = "high"
    LOW = "low"
    BEFORE_INSTALL = "before_install"
    AFTER_REMOVAL = "after_removal"
    DUPLICATE = "duplicate"
    CHANGE_OUT = "change_out"


EXCEPTION_LABELS: dict[ReadException, str] = {
    ReadException.ROLLOVER: "Dial rollover: the register passed its top value",
    ReadException.NEGATIVE: "Negative consumption: read is below the previous read",
    ReadException.ZERO: "Zero consumption on an active account",
    ReadException.HIGH: "High use compared with this account's history",
    ReadException.LOW: "Low use compared with this account's history",
    ReadException.BEFORE_INSTALL: "Read dated before the meter was installed",
    ReadException.AFTER_REMOVAL: "Read dated after the meter was removed",
    ReadException.DUPLICATE: "Duplicate read for this meter",
    ReadException.CHANGE_OUT: "Meter change-out without the old meter's final read",
}


@dataclass(frozen=True, slots=True)
class Thresholds:
    high_factor: Decimal = Decimal("2.5")
    low_factor: Decimal = Decimal("0.25")
    min_baseline_per_day: Decimal = Decimal("0.05")  # in the meter's unit


@dataclass(frozen=True, slots=True)
class ReadCheck:
    """Everything validation needs to know about one new read. Dates are local read dates."""

    read_on: date
    raw_value: int
    dials: int
    multiplier: Decimal
    installed_on: date
    removed_on: date | None
    previous_read_on: date | None
    previous_raw: int | None
    account_active: bool
    baseline_per_day: Decimal | None  # from history; None when there is none
    duplicate: bool = False
    change_out_unpaired: bool = False


@dataclass(frozen=True, slots=True)
class ReadVerdict:
    exceptions: tuple[ReadException, ...]
    volume: Decimal | None  # use since the previous read, when there is one
    days: int | None

    @property
    def held(self) -> bool:
        return bool(self.exceptions)


def read_validate(check: ReadCheck, thresholds: Thresholds = Thresholds()) -> ReadVerdict:
    found: list[ReadException] = []
    if check.duplicate:
        found.append(ReadException.DUPLICATE)
    if check.read_on < check.installed_on:
        found.append(ReadException.BEFORE_INSTALL)
    if check.removed_on is not None and check.read_on > check.removed_on:
        found.append(ReadException.AFTER_REMOVAL)
    if check.change_out_unpaired:
        found.append(ReadException.CHANGE_OUT)
    if check.previous_raw is None or check.previous_read_on is None:
        return ReadVerdict(tuple(found), None, None)
    use = consumption_between(
        previous_raw=check.previous_raw,
        current_raw=check.raw_value,
        dials=check.dials,
        multiplier=check.multiplier,
    )
    days = (check.read_on - check.previous_read_on).days
    if use.movement is Movement.ROLLOVER:
        found.append(ReadException.ROLLOVER)
    elif use.movement is Movement.NEGATIVE:
        found.append(ReadException.NEGATIVE)
    elif use.volume == 0 and check.account_active:
        found.append(ReadException.ZERO)
    if use.movement is not Movement.NEGATIVE and use.volume > 0 and days > 0:
        found.extend(_against_history(use.volume / days, check.baseline_per_day, thresholds))
    return ReadVerdict(tuple(found), use.volume, days)


def _against_history(
    per_day: Decimal, baseline: Decimal | None, thresholds: Thresholds
) -> list[ReadException]:
    if baseline is None or baseline < thresholds.min_baseline_per_day:
        return []
    if per_day > baseline * thresholds.high_factor:
        return [ReadException.HIGH]
    if per_day < baseline * thresholds.low_factor:
        return [ReadException.LOW]
    return []
