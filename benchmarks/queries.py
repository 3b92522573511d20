"""Search queries drawn from the data, the way a CSR types them.

Each kind samples accounts with a fixed seed and writes the query a person would: a full
account number; a name as "First Last" or "Last First"; part of the service address in any
order ("oak 1234"); a phone as "(530) 555-0142"; an e-mail; a meter serial; an APN.
Each query comes with the account number it was drawn from, to check the search finds it.
"""

from __future__ import annotations

import random

from cistern.customers.models import Account, CustomerEmail, CustomerPhone
from cistern.metering.models import MeterInstallation

QUERY_KINDS = ("account_number", "name", "address", "phone", "email", "meter", "apn")


def sample_queries(rng: random.Random, per_kind: int) -> dict[str, list[tuple[str, str]]]:
    accounts = list(
        Account.objects.values_list(
            "number",
            "customer_id",
            "premise_id",
            "customer__kind",
            "customer__first_name",
            "customer__last_name",
            "customer__organization_name",
            "premise__street_number",
            "premise__street_name",
            "premise__apn",
        )
    )
    picks = rng.sample(accounts, min(per_kind, len(accounts)))
    return {
        "account_number": [(a[0], a[0]) for a in picks],
        "name": [(_name(rng, a), a[0]) for a in picks],
        "address": [(_address(rng, a), a[0]) for a in picks],
        "phone": _phones(rng, accounts, per_kind),
        "email": _emails(rng, accounts, per_kind),
        "meter": _meters(rng, accounts, per_kind),
        "apn": [(a[9], a[0]) for a in picks if a[9]],
    }


def _name(rng: random.Random, a: tuple) -> str:
    if a[3] == "organization":
        return a[6]
    first, last = a[4], a[5]
    return f"{first} {last}" if rng.random() < 0.5 else f"{last} {first}"


def _address(rng: random.Random, a: tuple) -> str:
    words = a[8].split()
    street = words[0][: max(3, len(words[0]) - rng.randint(0, 2))]  # a partial word
    return f"{street} {a[7]}" if rng.random() < 0.5 else f"{a[7]} {street}"


def _by_customer(accounts: list[tuple]) -> dict[int, str]:
    return {a[1]: a[0] for a in accounts}


def _phones(rng: random.Random, accounts: list[tuple], n: int) -> list[tuple[str, str]]:
    numbers = _by_customer(accounts)
    rows = list(CustomerPhone.objects.values_list("customer_id", "number"))
    picks = rng.sample(rows, min(n, len(rows)))
    return [(f"({p[:3]}) {p[3:6]}-{p[6:]}", numbers[c]) for c, p in picks]


def _emails(rng: random.Random, accounts: list[tuple], n: int) -> list[tuple[str, str]]:
    numbers = _by_customer(accounts)
    rows = list(CustomerEmail.objects.values_list("customer_id", "address"))
    return [(e, numbers[c]) for c, e in rng.sample(rows, min(n, len(rows)))]


def _meters(rng: random.Random, accounts: list[tuple], n: int) -> list[tuple[str, str]]:
    by_premise = {a[2]: a[0] for a in accounts}
    rows = list(
        MeterInstallation.objects.filter(removed_on__isnull=True).values_list(
            "premise_id", "meter__serial"
        )
    )
    return [(s, by_premise[p]) for p, s in rng.sample(rows, min(n, len(rows))) if p in by_premise]
