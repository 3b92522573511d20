"""Plan a whole demo district from a seed: the same accounts and seed give the same district.

``district_plan`` is pure: it draws every choice from one ``random.Random(seed)`` in a fixed
order and takes ``today`` as an argument, so two plans with the same arguments are equal
(dates move with ``today``; names, numbers and addresses do not).

Routes hold 250-500 premises read street by street within one town; towns' routes are
spread over four monthly billing cycles, except the rural town's, which bill bi-monthly.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from cistern.demo.domain.accounts import AccountMaker
from cistern.demo.domain.draw import between
from cistern.demo.domain.places import TOWNS
from cistern.demo.domain.plan import CyclePlan, DistrictPlan, FlagPlan, RoutePlan
from cistern.demo.domain.premises import SiteMaker

CYCLES = (
    CyclePlan("C1", "Cycle 1 (monthly)", "monthly", 2),
    CyclePlan("C2", "Cycle 2 (monthly)", "monthly", 9),
    CyclePlan("C3", "Cycle 3 (monthly)", "monthly", 16),
    CyclePlan("C4", "Cycle 4 (monthly)", "monthly", 23),
    CyclePlan("B1", "Rural (bi-monthly)", "bimonthly", 12),
)
MONTHLY_CYCLES = 4
BIMONTHLY_CYCLE = 4  # index of B1 in CYCLES
ROUTE_SIZE = (250, 500)
READ_SEQUENCE_STEP = 10  # gaps leave room to insert a new premise between two others
CASH_ONLY_PER_ACCOUNTS = 5000


def district_plan(
    *,
    accounts: int,
    seed: int,
    today: date,
    first_number: int = 1,
    staff_usernames: tuple[str, ...] = (),
) -> DistrictPlan:
    """A district with exactly ``accounts`` accounts (current and historical).

    Account numbers run from the ``first_number``-th account number on; contact-log entries
    are attributed to ``staff_usernames`` (none when empty).
    """
    if accounts < 1:
        raise ValueError("a demo district needs at least one account")
    rng = random.Random(seed)
    plan = DistrictPlan(seed=seed, today=today, cycles=list(CYCLES))
    sites = SiteMaker(rng, today, target_premises=accounts)
    maker = AccountMaker(
        rng,
        plan,
        limit=accounts,
        first_number=first_number,
        rural_towns=frozenset(t.name for t in TOWNS if t.rural),
        staff_usernames=staff_usernames,
    )
    while not maker.full:
        maker.add_site(sites.next_site())
    _assign_routes(plan, rng)
    _flag_cash_only(plan, rng)
    return plan


def _assign_routes(plan: DistrictPlan, rng: random.Random) -> None:
    """Cut each town's premises, in street order, into routes; give each route a cycle."""
    by_town: dict[str, list[int]] = {t.name: [] for t in TOWNS}
    for index, premise in enumerate(plan.premises):
        by_town[premise.town].append(index)
    urban_chunks: list[tuple[str, int, list[int]]] = []
    rural_chunks: list[tuple[str, int, list[int]]] = []
    for town in TOWNS:
        chunks = _chunks(by_town[town.name], rng)
        target = rural_chunks if town.rural else urban_chunks
        target.extend((town.name, n, chunk) for n, chunk in enumerate(chunks, start=1))
    for position, (town, n, chunk) in enumerate(urban_chunks):
        cycle = position * MONTHLY_CYCLES // len(urban_chunks)
        _add_route(plan, town, n, chunk, cycle)
    for town, n, chunk in rural_chunks:
        _add_route(plan, town, n, chunk, BIMONTHLY_CYCLE)


def _chunks(indexes: list[int], rng: random.Random) -> list[list[int]]:
    chunks: list[list[int]] = []
    position = 0
    while position < len(indexes):
        size = between(rng, *ROUTE_SIZE)
        if len(indexes) - position - size < ROUTE_SIZE[0] // 2:
            size = len(indexes) - position  # fold a short tail into the last route
        chunks.append(indexes[position : position + size])
        position += size
    return chunks


def _add_route(plan: DistrictPlan, town: str, n: int, premises: list[int], cycle: int) -> None:
    initials = "".join(word[0] for word in town.split()).upper()
    route_index = len(plan.routes)
    plan.routes.append(RoutePlan(f"{initials}{n:02d}", f"{town} route {n}", cycle))
    for sequence, premise in enumerate(premises, start=1):
        plan.premises[premise].route = route_index
        plan.premises[premise].read_sequence = sequence * READ_SEQUENCE_STEP


def _flag_cash_only(plan: DistrictPlan, rng: random.Random) -> None:
    """A couple of accounts that may pay only in cash (after returned payments)."""
    candidates = [
        a
        for a in plan.accounts
        if a.status == "active"
        and plan.customers[a.customer].kind == "person"
        and not any(f.kind == "cash_only" for f in a.flags)
    ]
    count = min(len(candidates), max(2, len(plan.accounts) // CASH_ONLY_PER_ACCOUNTS))
    for account in rng.sample(candidates, count):
        set_on = max(account.start_date, plan.today - timedelta(days=60))
        note = "Two payments returned unpaid in twelve months"
        account.flags.append(FlagPlan("cash_only", set_on, note=note))
