"""Minimal customer accounts for ledger tests, built from the models directly."""

from __future__ import annotations

import itertools
from datetime import date

from cistern.customers.models import Account, Customer, Premise

_serial = itertools.count(1)


def customer_account(*, last_name: str = "Rivera") -> Account:
    n = next(_serial)
    customer = Customer.objects.create(
        kind=Customer.Kind.PERSON, last_name=last_name, display_name=f"{last_name}, Test {n}"
    )
    premise = Premise.objects.create(
        street_number=str(100 + n),
        street_name="Ledger Ln",
        city="Cistern",
        postal_code="95000",
        premise_class="sfr",
    )
    return Account.objects.create(
        number=f"LT{n:06d}{Account.objects.count():03d}"[:12],
        customer=customer,
        premise=premise,
        start_date=date(2024, 1, 1),
    )
