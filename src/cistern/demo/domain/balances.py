"""Opening balances for the demo district, so balances, past-due amounts and aging show.

About 30% of live accounts owe a current bill (dated in the last 25 days); about 8% are
past due besides, owing one to six earlier periods' charges brought forward as one amount
dated at the oldest, so every aging bucket (30, 60, 90, 120+ days) has accounts in it; most
finaled accounts owe their final bill. Amounts are
typical of a California district's monthly charges by premise class and service, doubled
for bi-monthly cycles. Drawn from their own random source so they never change the district.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from cistern.demo.domain.draw import Weighted, between
from cistern.demo.domain.plan import DistrictPlan

CURRENT_SHARE = 0.30
PAST_DUE_SHARE = 0.08
FINAL_BILL_SHARE = 0.6
SEED_OFFSET = 7_919  # balances draw from Random(seed + SEED_OFFSET)
# How many unpaid bills before the current one: 1 -> 30-59 days, 2 -> 60-89 ... 4+ -> 120+.
_OLDER_BILLS = Weighted(((1, 45), (2, 25), (3, 15), (4, 8), (5, 4), (6, 3)))
# (premise class, service) -> monthly charge range in cents; "*" matches any class.
_MONTHLY_CENTS: dict[tuple[str, str], tuple[int, int]] = {
    ("sfr", "water"): (3_800, 12_500),
    ("sfr", "sewer"): (3_900, 6_800),
    ("mfr", "water"): (2_600, 5_200),  # per dwelling unit
    ("mfr", "sewer"): (3_200, 5_000),  # per dwelling unit
    ("mobilehome", "water"): (3_000, 7_500),
    ("mobilehome", "sewer"): (3_500, 5_500),
    ("commercial", "water"): (8_000, 60_000),
    ("commercial", "sewer"): (6_000, 40_000),
    ("industrial", "water"): (50_000, 400_000),
    ("industrial", "sewer"): (30_000, 200_000),
    ("institutional", "water"): (20_000, 150_000),
    ("institutional", "sewer"): (10_000, 60_000),
    ("*", "irrigation"): (5_000, 80_000),
    ("*", "fire_line"): (2_500, 12_000),
}


@dataclass(frozen=True, slots=True)
class OpeningBill:
    """One unpaid bill brought forward: the account's plan index, its date, cents by service."""

    account: int
    effective_date: date
    charges: tuple[tuple[str, int], ...]  # (service, cents), cents > 0

    @property
    def total_cents(self) -> int:
        return sum(cents for _, cents in self.charges)


def opening_bills(plan: DistrictPlan) -> list[OpeningBill]:
    """The unpaid bills of the district, oldest first within each account."""
    rng = random.Random(plan.seed + SEED_OFFSET)
    bills: list[OpeningBill] = []
    for index, account in enumerate(plan.accounts):
        roll = rng.random()
        if account.status == "final":
            if roll < FINAL_BILL_SHARE:
                bills.append(_bill(plan, rng, index, account.end_date or plan.today))
            continue
        if account.status != "active" or roll >= CURRENT_SHARE + PAST_DUE_SHARE:
            continue
        older = _OLDER_BILLS.draw(rng) if roll < PAST_DUE_SHARE else 0
        latest = plan.today - timedelta(days=between(rng, 1, 25))
        interval = 60 if _bimonthly(plan, index) else 30
        oldest = latest - timedelta(days=interval * older)
        if older and oldest >= account.start_date:  # the unpaid bills before, as one amount
            bills.append(_bill(plan, rng, index, oldest, periods=older))
        if latest >= account.start_date:
            bills.append(_bill(plan, rng, index, latest))
    return [bill for bill in bills if bill.charges]


def _bimonthly(plan: DistrictPlan, account_index: int) -> bool:
    premise = plan.premises[plan.accounts[account_index].premise]
    return plan.cycles[plan.routes[premise.route].cycle].frequency == "bimonthly"


def _bill(
    plan: DistrictPlan, rng: random.Random, index: int, day: date, periods: int = 1
) -> OpeningBill:
    """A bill of ``periods`` billing periods' charges (several: a past-due amount)."""
    account = plan.accounts[index]
    premise = plan.premises[account.premise]
    months = 2 if _bimonthly(plan, index) else 1
    units = premise.dwelling_units if premise.premise_class == "mfr" else 1
    charges = []
    for service in account.services:
        low, high = _MONTHLY_CENTS.get(
            (premise.premise_class, service), _MONTHLY_CENTS.get(("*", service), (0, 0))
        )
        if high:
            cents = sum(between(rng, low, high) for _ in range(periods)) * units * months
            charges.append((service, cents))
    return OpeningBill(index, day, tuple(charges))
