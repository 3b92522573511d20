"""How each demo customer pays their bills: on time, late, in part, or not lately.

Most pay each bill in full a week or two after it is mailed; some pay after the due date;
a few pay part of each bill; a few stopped paying some months ago (the collections queue
has real past-due accounts). Payments arrive at the bank's lockbox, mostly by check, some
by money order; each is deposited on a business day. A payment dated after ``today`` has
not arrived yet, so recent bills are still open. Pure: ``Random(seed + SEED_OFFSET)``.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from cistern.core.domain.business_days import is_business_day
from cistern.demo.domain.draw import Weighted, between

SEED_OFFSET = 15_485_863
PROFILES = Weighted((("prompt", 74), ("late", 14), ("partial", 5), ("skips", 4), ("stopped", 3)))
MONEY_ORDER_SHARE = 0.08
SKIP_SHARE = 0.3  # how often a "skips" payer lets a bill go


@dataclass(frozen=True, slots=True)
class Payer:
    profile: str
    stopped_on: date | None  # "stopped": no payment deposited on or after this day
    money_order: bool


@dataclass(frozen=True, slots=True)
class PlannedPayment:
    deposit_date: date
    amount_cents: int


def payers_for(accounts: int, *, seed: int, today: date) -> list[Payer]:
    """A payer for each account, by plan index."""
    rng = random.Random(seed + SEED_OFFSET)
    payers = []
    for _ in range(accounts):
        profile = PROFILES.draw(rng)
        stopped = today - timedelta(days=between(rng, 70, 200)) if profile == "stopped" else None
        payers.append(Payer(profile, stopped, rng.random() < MONEY_ORDER_SHARE))
    return payers


def payment_for(
    payer: Payer,
    rng: random.Random,
    *,
    bill_date: date,
    total_cents: int,
    closed: Collection[date],
) -> PlannedPayment | None:
    """The payment of one bill (None: not paid), deposited on a business day."""
    if total_cents <= 0:
        return None
    amount = total_cents
    if payer.profile == "late":
        days = between(rng, 24, 45)
    elif payer.profile == "partial":
        days = between(rng, 10, 28)
        amount = max(100, (total_cents * between(rng, 40, 80) // 100) // 100 * 100)
    elif payer.profile == "skips" and rng.random() < SKIP_SHARE:
        return None
    else:
        days = between(rng, 8, 26)
    deposit = _business_day(bill_date + timedelta(days=days), closed)
    if payer.stopped_on is not None and deposit >= payer.stopped_on:
        return None
    return PlannedPayment(deposit, amount)


def _business_day(day: date, closed: Collection[date]) -> date:
    while not is_business_day(day, closed):
        day += timedelta(days=1)
    return day
