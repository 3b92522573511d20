"""Who holds the account at a demo site, and where their mail goes.

Most mail goes to the service address. About one residential account in ten mails
elsewhere: an owner who rents the house out (a landlord account) or a post-office box.
Apartment buildings are often held by a property manager with many buildings and an office
address; schools and public agencies use their central office's box.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from cistern.demo.domain.draw import Weighted, between, pick
from cistern.demo.domain.people import People
from cistern.demo.domain.places import OUT_OF_AREA, STREET_BASES, STREET_SUFFIXES, TOWNS
from cistern.demo.domain.plan import Address, CustomerPlan, PremisePlan

LANDLORD_SHARE = 0.08  # residential accounts held by an owner living elsewhere
PO_BOX_SHARE = 0.02
RETURNED_MAIL_SHARE = 0.003
_ORG_KINDS = {
    "commercial": (("business", 90), ("person", 10)),
    "industrial": (("industry", 100),),
    "institutional": (("school", 45), ("church", 40), ("public", 15)),
    "irrigation": (("hoa", 60), ("public", 25), ("business", 15)),
    "mfr": (("manager", 50), ("landlord", 50)),
}

_ORG_DRAWS = {kind: Weighted(mix) for kind, mix in _ORG_KINDS.items()}


class Owners:
    """Makes the customer for a new account at a premise, with a mailing address."""

    def __init__(self, rng: random.Random, today: date, *, accounts: int) -> None:
        self._rng = rng
        self._today = today
        self.people = People(rng)
        self._managers: list[CustomerPlan] = []
        self._manager_pool = max(1, accounts // 2000)

    def customer_for(self, site_kind: str, premise: PremisePlan) -> tuple[CustomerPlan, bool]:
        """A customer for an account at ``premise`` and whether it is a landlord account."""
        rng = self._rng
        if site_kind not in _ORG_KINDS:
            customer = self.people.person()
            roll = rng.random()
            if roll < LANDLORD_SHARE:
                customer.mailing = self.elsewhere()
                return self._finish(customer), True
            customer.mailing = (
                self.po_box(premise) if roll < LANDLORD_SHARE + PO_BOX_SHARE else None
            )
            return self._finish(customer, premise), False
        kind = _ORG_DRAWS[site_kind].draw(rng)
        if kind == "manager":
            return self._manager(premise), False
        if kind in ("person", "landlord"):
            customer = self.people.person()
            landlord = kind == "landlord"
            customer.mailing = self.elsewhere() if landlord and rng.random() < 0.5 else None
            return self._finish(customer, premise), landlord
        customer = self.people.organization(kind, town=premise.town)
        if kind in ("school", "public") or rng.random() < 0.2:
            customer.mailing = self.po_box(premise)
        return self._finish(customer, premise), False

    def _manager(self, premise: PremisePlan) -> CustomerPlan:
        if len(self._managers) >= self._manager_pool:
            return pick(self._rng, self._managers)
        manager = self.people.organization("manager", town=premise.town)
        manager.mailing = self.elsewhere(suite=True)
        self._managers.append(self._finish(manager))
        return manager

    def _finish(self, customer: CustomerPlan, premise: PremisePlan | None = None) -> CustomerPlan:
        if customer.mailing is None and premise is not None:
            customer.mailing = service_address(premise)
        if self._rng.random() < RETURNED_MAIL_SHARE:
            customer.returned_mail_on = self._today - timedelta(days=between(self._rng, 3, 90))
        return customer

    def elsewhere(self, *, suite: bool = False) -> Address:
        """A street address outside the district (or across it), for owners and managers."""
        rng = self._rng
        if rng.random() < 0.3:
            town = pick(rng, TOWNS)
            city, postal_code = town.name, town.zips[0]
        else:
            city, postal_code = pick(rng, OUT_OF_AREA)
        street = f"{pick(rng, STREET_BASES)} {pick(rng, STREET_SUFFIXES)}"
        line2 = f"Suite {between(rng, 1, 4)}{between(rng, 0, 2)}0" if suite else ""
        return Address(f"{between(rng, 10, 9999)} {street}", line2, city, "CA", postal_code)

    def po_box(self, premise: PremisePlan) -> Address:
        box = f"PO Box {between(self._rng, 1, 4999)}"
        return Address(box, "", premise.city, "CA", premise.postal_code)


def service_address(premise: PremisePlan) -> Address:
    return Address(premise.address_line, "", premise.city, "CA", premise.postal_code)
