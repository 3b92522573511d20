"""Payments throughput on a built demo district (``DATABASE_URL``); prints JSON.

- lockbox: one bank file of ``--lockbox`` items (one per account, 500 items a bank batch)
  through ``lockbox_import`` (parse, checks, payments, bulk ledger posting), timed whole;
- counter: ``payment_take_at_counter`` (receipt number, payment, ledger posting), cash,
  one account each, p50/p95 over ``--counter`` calls;
- API: ``POST /api/v1/payments`` through Django's test client with an API key and a fresh
  ``Idempotency-Key`` each, payments a second over ``--api`` calls (plus one replay).
Each section stops at its time budget.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from benchmarks.stats import summary  # noqa: E402
from cistern.api.keys import api_key_create  # noqa: E402
from cistern.core.calendar import district_today  # noqa: E402
from cistern.customers.models import Account  # noqa: E402
from cistern.payments.counter_services import (  # noqa: E402
    CounterShare,
    CounterTender,
    payment_take_at_counter,
)
from cistern.payments.domain import LockboxItem, lockbox_write, scan_line_parse  # noqa: E402
from cistern.payments.domain.scan_line import scan_line_build  # noqa: E402
from cistern.payments.drawer_services import drawer_open  # noqa: E402
from cistern.payments.services import lockbox_import  # noqa: E402
from cistern.staff.models import User  # noqa: E402

SEED = 20_260_605
BUDGET_S = 120.0
FLOAT = {"bill_20": 5, "bill_10": 5, "bill_5": 4, "bill_1": 10, "coin_25": 20}


def lockbox(n: int, numbers: list[str], actor: User, run: str) -> dict[str, float]:
    rng = random.Random(SEED)
    today = district_today()
    items = []
    for i, number in enumerate(numbers[:n]):
        cents = rng.randint(500, 20_000)
        items.append(
            LockboxItem(
                batch_id=f"{run}{i // 500:04d}",
                item_sequence=i % 500 + 1,
                scan_line=scan_line_parse(scan_line_build(number, cents)),
                amount_paid_cents=cents,
                check_number=str(1000 + i),
                payer_name=f"Payer {i}",
                deposit_date=today,
            )
        )
    data = lockbox_write(items)
    started = time.perf_counter()
    outcome = lockbox_import(data=data, filename=f"{run}.csv", actor=actor)
    seconds = time.perf_counter() - started
    posted = outcome.lockbox_import.item_count
    return {"items": posted, "seconds": seconds, "items_per_s": posted / seconds}


def counter(n: int, numbers: list[str], run: str) -> dict[str, float]:
    cashier = User.objects.get(username="ana")
    drawer = drawer_open(counts=FLOAT, actor=cashier)
    samples = []
    deadline = time.perf_counter() + BUDGET_S
    for i, number in enumerate(numbers[:n]):
        if time.perf_counter() > deadline:
            break
        started = time.perf_counter()
        payment_take_at_counter(
            drawer_id=drawer.pk,
            shares=[CounterShare(number, 2500)],
            tender=CounterTender("cash", 3000),
            idempotency_key=f"{run}-c{i}",
            actor=cashier,
        )
        samples.append((time.perf_counter() - started) * 1000.0)
    return summary(samples)


def api(n: int, numbers: list[str], run: str) -> dict[str, float]:
    _key, raw = api_key_create(name=f"bench {run}")
    client = Client()
    headers = {"HTTP_X_API_KEY": raw}
    started = time.perf_counter()
    done = 0
    for i, number in enumerate(numbers[:n]):
        if time.perf_counter() - started > BUDGET_S:
            break
        body = {
            "account_number": number,
            "amount_cents": 1500,
            "channel": "ivr",
            "tender": "card",
            "processor_reference": f"sbx_{run}_{i}",
        }
        response = client.post(
            "/api/v1/payments",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"{run}-a{i}",
            **headers,
        )
        if response.status_code != 201:
            raise RuntimeError(f"API answered {response.status_code}: {response.content[:200]}")
        done += 1
    seconds = time.perf_counter() - started
    replay = client.post(
        "/api/v1/payments",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=f"{run}-a{done - 1}",
        **headers,
    )
    return {
        "payments": done,
        "seconds": seconds,
        "payments_per_s": done / seconds,
        "replay_status": replay.status_code,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lockbox", type=int, default=100_000)
    parser.add_argument("--counter", type=int, default=300)
    parser.add_argument("--api", type=int, default=300)
    args = parser.parse_args()
    run = f"B{int(time.time()) % 100000:05d}"
    numbers = list(Account.objects.order_by("id").values_list("number", flat=True))
    rng = random.Random(SEED + 1)
    others = rng.sample(numbers, min(len(numbers), args.counter + args.api))
    actor = User.objects.get(username="frank")
    figures: dict = {"database": connection.vendor, "accounts": len(numbers)}
    if args.lockbox:
        figures["lockbox"] = lockbox(args.lockbox, numbers, actor, run)
    if args.counter:
        figures["counter"] = counter(args.counter, others, run)
    if args.api:
        figures["api"] = api(args.api, others[args.counter :], run)
    json.dump(figures, sys.stdout)
    print()


if __name__ == "__main__":
    main()
