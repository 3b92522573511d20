"""Demo accounts: who has held service at each premise, with services and flags.

Most premises have one active account. A few show history: a closed account before the
current one (a move), an account finaled in the last weeks with a pending move-in (or
none: vacant), or a pending new connection. Flags are set on current accounts in
realistic shares: paperless for about a fifth, low-income for about one household in
eleven (with how it was shown, never a case number), a few medical certifications, landlord
accounts, and a couple of cash-only accounts.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from cistern.core.domain.check_digit import with_check_digit
from cistern.demo.domain.draw import between, pick
from cistern.demo.domain.extras import Extras
from cistern.demo.domain.owners import Owners
from cistern.demo.domain.plan import AccountPlan, CustomerPlan, DistrictPlan, FlagPlan
from cistern.demo.domain.premises import Site

ACCOUNT_NUMBER_BASE = 1_000_000  # as cistern.core.numbering: str(base + n) + check digit
RESIDENTIAL_SITES = frozenset({"sfr", "condo", "mobilehome", "mfr"})
LOW_INCOME_EVIDENCE = (
    "CalFresh enrollment",
    "Medi-Cal enrollment",
    "LIHEAP enrollment",
    "CARE enrollment",
    "WIC enrollment",
    "Self-declaration of income",
)
SEPTIC_SHARE = {True: 0.55, False: 0.03}  # by whether the town is rural


class AccountMaker:
    """Adds accounts to the plan, at most ``limit``, numbering them from ``first_number``."""

    def __init__(
        self,
        rng: random.Random,
        plan: DistrictPlan,
        *,
        limit: int,
        first_number: int,
        rural_towns: frozenset[str],
        staff_usernames: tuple[str, ...],
    ) -> None:
        self._rng = rng
        self._plan = plan
        self._today = plan.today
        self._limit = limit
        self._next_number = first_number
        self._rural = rural_towns
        self.owners = Owners(rng, plan.today, accounts=limit)
        self._extras = Extras(rng, plan.today, staff_usernames=staff_usernames)
        self._customer_index: dict[int, int] = {}  # id(CustomerPlan) -> index in plan

    @property
    def full(self) -> bool:
        return len(self._plan.accounts) >= self._limit

    def add_site(self, site: Site) -> None:
        holder: tuple[CustomerPlan, bool] | None = None
        for premise in site.premises:
            index = len(self._plan.premises)
            self._plan.premises.append(premise)
            holder = self._premise_history(site, index) or holder
        if site.fire is not None:
            index = len(self._plan.premises)
            self._plan.premises.append(site.fire)
            if holder is not None and not self.full:
                start = self._today - timedelta(days=between(self._rng, 60, 20 * 365))
                self._open(holder, index, "active", start, None, ["fire_line"])

    def _premise_history(self, site: Site, premise: int) -> tuple[CustomerPlan, bool] | None:
        """Accounts at one premise, oldest first; returns the current holder, if any."""
        rng, today = self._rng, self._today
        services = self._services(site)
        roll = rng.random()
        new = self._customer_maker(site, premise)
        if roll < 0.03 and self._room(2):  # moved: a closed account, then the current one
            start = today - timedelta(days=between(rng, 30, 8 * 365))
            first = start - timedelta(days=between(rng, 365, 12 * 365))
            self._open(new(), premise, "closed", first, start - timedelta(days=1), services)
            return self._open(new(), premise, "active", start, None, services)
        if roll < 0.035 and self._room(1):  # moved out in the last weeks
            end = today - timedelta(days=between(rng, 1, 25))
            start = end - timedelta(days=between(rng, 200, 10 * 365))
            self._open(new(), premise, "final", start, end, services)
            if rng.random() < 0.5 and self._room(1):  # and someone is moving in
                soon = today + timedelta(days=between(rng, 1, 14))
                return self._open(new(), premise, "pending", soon, None, services)
            return None
        if roll < 0.04 and self._room(1):  # a new connection
            soon = today + timedelta(days=between(rng, 1, 30))
            return self._open(new(), premise, "pending", soon, None, services)
        if self._room(1):
            start = today - timedelta(days=between(rng, 30, 25 * 365))
            return self._open(new(), premise, "active", start, None, services)
        return None

    def _customer_maker(self, site: Site, premise: int) -> Callable[[], tuple[CustomerPlan, bool]]:
        premise_plan = self._plan.premises[premise]
        return lambda: self.owners.customer_for(site.kind, premise_plan)

    def _room(self, count: int) -> bool:
        return len(self._plan.accounts) + count <= self._limit

    def _services(self, site: Site) -> list[str]:
        if site.kind == "irrigation":
            return ["irrigation"]
        if self._rng.random() < SEPTIC_SHARE[site.town in self._rural]:
            return ["water"]
        return ["water", "sewer"]

    def _open(
        self,
        holder: tuple[CustomerPlan, bool],
        premise: int,
        status: str,
        start: date,
        end: date | None,
        services: list[str],
    ) -> tuple[CustomerPlan, bool]:
        customer, landlord = holder
        account = AccountPlan(
            number=self._number(),
            customer=self._index_of(customer, start),
            premise=premise,
            status=status,
            start_date=start,
            end_date=end,
            services=list(services),
        )
        if status in ("active", "pending"):
            account.flags = self._flags(customer, landlord, start, premise)
            self._extras.decorate(account, customer)
        elif status == "final":
            self._extras.decorate(account, customer)
        self._plan.accounts.append(account)
        return holder

    def _number(self) -> str:
        number = with_check_digit(str(ACCOUNT_NUMBER_BASE + self._next_number))
        self._next_number += 1
        return number

    def _index_of(self, customer: CustomerPlan, start: date) -> int:
        key = id(customer)
        if key not in self._customer_index:
            self._customer_index[key] = len(self._plan.customers)
            customer.since = min(start, self._today)
            self._plan.customers.append(customer)
        return self._customer_index[key]

    def _flags(
        self, customer: CustomerPlan, landlord: bool, start: date, premise: int
    ) -> list[FlagPlan]:
        rng = self._rng
        set_on = min(self._today, start + timedelta(days=between(rng, 0, 400)))
        flags: list[FlagPlan] = []
        if customer.emails and rng.random() < 0.38:
            flags.append(FlagPlan("paperless", set_on))
        if landlord:
            flags.append(FlagPlan("landlord", min(start, self._today)))
        premise_class = self._plan.premises[premise].premise_class
        if customer.kind == "person" and premise_class in ("sfr", "mfr", "mobilehome"):
            if rng.random() < 0.09 and not landlord:
                evidence = pick(rng, LOW_INCOME_EVIDENCE)
                flags.append(FlagPlan("low_income", set_on, evidence, set_on))
            if rng.random() < 0.006 and not landlord:
                note = "Physician certification on file; renew annually"
                flags.append(FlagPlan("medical", set_on, note=note))
        if premise_class == "institutional" and rng.random() < 0.3:
            note = "Public facility: shutoff needs the manager's approval"
            flags.append(FlagPlan("do_not_disconnect", set_on, note=note))
        return flags
