"""Ledger posting throughput: ``journal_entry_post`` one entry at a time vs
``journal_entries_post_bulk`` in batches, on the database in ``DATABASE_URL``.

Each entry is a bill-shaped pair of legs (receivable on a customer account against revenue).
Needs customer accounts (the demo district's, or ``--make-accounts N`` plain ones) and the
seeded chart. Prints the figures as JSON; each section stops at its time budget.

    DATABASE_URL=... benchmarks/bench_ledger.py [--single 2000] [--bulk 20000] [--batch 500]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from cistern.customers.models import Account, Customer, Premise  # noqa: E402
from cistern.ledger import codes  # noqa: E402
from cistern.ledger.services import Leg, journal_entry_post, ledger_chart_seed  # noqa: E402

SEED = 20_260_603
BUDGET_S = 120.0
DAY = date(2026, 11, 2)


def make_accounts(n: int) -> list[int]:
    """Plain customer accounts for a bare database (the demo has real ones)."""
    have = Account.objects.count()
    for start in range(have, n, 2000):
        stop = min(n, start + 2000)
        customers = Customer.objects.bulk_create(
            Customer(last_name=f"Bench{i}", display_name=f"Bench{i}, Pat")
            for i in range(start, stop)
        )
        premises = Premise.objects.bulk_create(
            Premise(
                street_number=str(i),
                street_name="Bench St",
                city="Cistern",
                postal_code="95000",
                premise_class="sfr",
            )
            for i in range(start, stop)
        )
        Account.objects.bulk_create(
            Account(number=f"PB{i:09d}", customer=c, premise=p, start_date=date(2024, 1, 1))
            for i, c, p in zip(range(start, stop), customers, premises, strict=True)
        )
    return list(Account.objects.values_list("id", flat=True))


def legs(rng: random.Random, ids: list[int]) -> tuple[Leg, ...]:
    cents = rng.randint(100, 20_000)
    return (
        Leg(codes.AR_WATER, cents, rng.choice(ids), codes.CATEGORY_WATER),
        Leg(codes.REV_WATER, -cents),
    )


def single(n: int, ids: list[int], run: str) -> dict[str, float]:
    rng = random.Random(SEED)
    started = time.perf_counter()
    posted = 0
    for i in range(n):
        if time.perf_counter() - started > BUDGET_S:
            break
        journal_entry_post(
            idempotency_key=f"{run}-s{i}",
            effective_date=DAY,
            source="adjustment",
            memo="benchmark posting",
            legs=legs(rng, ids),
            actor=None,
        )
        posted += 1
    seconds = time.perf_counter() - started
    return {"entries": posted, "seconds": seconds, "entries_per_s": posted / seconds}


def bulk(n: int, batch: int, ids: list[int], run: str) -> dict[str, float]:
    from cistern.ledger.bulk import EntryRequest, journal_entries_post_bulk

    rng = random.Random(SEED + 1)
    started = time.perf_counter()
    posted = 0
    while posted < n and time.perf_counter() - started < BUDGET_S:
        requests = [
            EntryRequest(
                idempotency_key=f"{run}-b{posted + i}",
                effective_date=DAY,
                source="adjustment",
                memo="benchmark posting",
                legs=legs(rng, ids),
            )
            for i in range(min(batch, n - posted))
        ]
        posted += journal_entries_post_bulk(requests=requests, actor=None).created
    seconds = time.perf_counter() - started
    return {
        "entries": posted,
        "batch": batch,
        "seconds": seconds,
        "entries_per_s": posted / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--single", type=int, default=2000)
    parser.add_argument("--bulk", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--make-accounts", type=int, default=0)
    args = parser.parse_args()
    ledger_chart_seed()
    ids = make_accounts(args.make_accounts) if args.make_accounts else None
    ids = ids or list(Account.objects.values_list("id", flat=True))
    run = f"lb{int(time.time())}"
    figures = {"database": connection.vendor, "accounts": len(ids)}
    if args.single:
        figures["single"] = single(args.single, ids, run)
    if args.bulk:
        figures["bulk"] = bulk(args.bulk, args.batch, ids, run)
    json.dump(figures, sys.stdout)
    print()


if __name__ == "__main__":
    main()
