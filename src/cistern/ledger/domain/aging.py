"""Aging of a customer balance into buckets by the age of the charges that make it up.

Rule (docs/decisions/ledger.md): the outstanding balance is made of the *newest* charges —
payments and credits retire the oldest charges first (first in, first out). A charge's age
is ``as_of - effective_date`` in days:

    current      0-29 days     days_30   30-59 days     days_60   60-89 days
    days_90      90-119 days   days_120_plus  120 days or more

A credit balance (zero or negative) is shown entirely in ``current`` and nothing is past due.
Charges dated after ``as_of`` are not part of the balance as of that date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

BUCKET_DAYS = 30  # width of each aging bucket, in days
BUCKET_NAMES = ("current", "days_30", "days_60", "days_90", "days_120_plus")


@dataclass(frozen=True)
class Aging:
    """A balance split by age. Every field is in cents; ``total_cents`` is the balance."""

    current_cents: int = 0
    days_30_cents: int = 0
    days_60_cents: int = 0
    days_90_cents: int = 0
    days_120_plus_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.current_cents + self.past_due_cents

    @property
    def past_due_cents(self) -> int:
        """Everything older than the current bucket."""
        return (
            self.days_30_cents + self.days_60_cents + self.days_90_cents + self.days_120_plus_cents
        )

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, f"{name}_cents") for name in BUCKET_NAMES}


def bucket_index(*, charge_date: date, as_of: date) -> int:
    """0 = current, 1 = 30+, 2 = 60+, 3 = 90+, 4 = 120+ days old."""
    age_days = max((as_of - charge_date).days, 0)
    return min(age_days // BUCKET_DAYS, len(BUCKET_NAMES) - 1)


def age_balance(*, balance_cents: int, charges: Iterable[tuple[date, int]], as_of: date) -> Aging:
    """Split ``balance_cents`` over ``charges`` (date, positive cents), newest first.

    Whatever the charges do not explain (a balance larger than every charge on file, e.g.
    from a negative credit reversed) is placed in the oldest bucket, so the total always
    equals ``balance_cents``.
    """
    if balance_cents <= 0:
        return Aging(current_cents=balance_cents)
    buckets = [0] * len(BUCKET_NAMES)
    remaining = balance_cents
    newest_first = sorted(
        (c for c in charges if c[1] > 0 and c[0] <= as_of), key=lambda c: c[0], reverse=True
    )
    for charge_date, amount_cents in newest_first:
        if remaining == 0:
            break
        take = min(amount_cents, remaining)
        buckets[bucket_index(charge_date=charge_date, as_of=as_of)] += take
        remaining -= take
    buckets[-1] += remaining
    return Aging(*buckets)
