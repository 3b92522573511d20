"""Measure a built demo district in-process and print the figures as JSON on stdout.

Run by ``benchmarks/run.py`` (with ``DJANGO_SETTINGS_MODULE=benchmarks.settings`` and the
database in ``DATABASE_URL``); not meant to be run by hand, though it can be.

- search latency by query kind: the ``account_search`` selector, 200 queries per kind drawn
  from the data with a fixed seed (after a warm-up), plus a few through the test client
  (the typeahead: routing, permission, session, template);
- the account page: ``GET /accounts/<number>/`` through the test client, signed in;
- ledger posting throughput: ``journal_entry_post`` one entry at a time.
Each section stops at its time budget, so a run stays bounded on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from benchmarks.queries import QUERY_KINDS, sample_queries  # noqa: E402
from benchmarks.stats import summary  # noqa: E402
from cistern.core.calendar import district_today  # noqa: E402
from cistern.customers.models import Account  # noqa: E402
from cistern.customers.selectors import account_search  # noqa: E402
from cistern.ledger import codes  # noqa: E402
from cistern.ledger.services import Leg, journal_entry_post  # noqa: E402
from cistern.staff.models import User  # noqa: E402

SEED = 20_260_601
SECTION_BUDGET_S = 120.0  # each section stops after this long, whatever it has done


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000.0


def search_latencies(per_kind: int) -> dict[str, dict[str, float]]:
    queries = sample_queries(random.Random(SEED), per_kind)
    for query, _ in queries["name"][:20]:  # warm-up: caches, prepared plans
        account_search(query=query)
    results: dict[str, dict[str, float]] = {}
    deadline = time.perf_counter() + SECTION_BUDGET_S
    for kind in QUERY_KINDS:
        samples, found = [], 0
        for query, number in queries[kind]:
            if time.perf_counter() > deadline:
                break
            started = time.perf_counter()
            hits = account_search(query=query)
            samples.append((time.perf_counter() - started) * 1000.0)
            found += any(hit.number == number for hit in hits)
        results[kind] = summary(samples) | {"found_pct": 100.0 * found / max(1, len(samples))}
    return results


def signed_in_client() -> Client:
    client = Client()
    client.force_login(User.objects.get(username="ana"))
    return client


def typeahead_latencies(per_kind: int) -> dict[str, float]:
    client = signed_in_client()
    queries = sample_queries(random.Random(SEED + 1), per_kind)
    mixed = [q for kind in QUERY_KINDS for q, _ in queries[kind]]
    client.get("/search/typeahead/", {"q": mixed[0]})
    samples = []
    for query in mixed:
        ms = timed(lambda q=query: _ok(client.get("/search/typeahead/", {"q": q})))
        samples.append(ms)
    return summary(samples)


def account_page_latencies(count: int) -> dict[str, float]:
    client = signed_in_client()
    numbers = list(Account.objects.values_list("number", flat=True))
    picks = random.Random(SEED + 2).sample(numbers, min(count, len(numbers)))
    client.get(f"/accounts/{picks[0]}/")
    samples = []
    deadline = time.perf_counter() + SECTION_BUDGET_S
    for number in picks:
        if time.perf_counter() > deadline:
            break
        samples.append(timed(lambda n=number: _ok(client.get(f"/accounts/{n}/"))))
    return summary(samples)


def _ok(response) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request['PATH_INFO']} answered {response.status_code}")


def posting_throughput(entries: int) -> dict[str, float]:
    rng = random.Random(SEED + 3)
    ids = list(Account.objects.filter(status="active").values_list("id", flat=True))
    actor = User.objects.get(username="frank")
    today = district_today()
    run = f"bench-{int(time.time())}"
    started = time.perf_counter()
    posted = 0
    for n in range(entries):
        if time.perf_counter() - started > SECTION_BUDGET_S:
            break
        cents = rng.randint(100, 20_000)
        journal_entry_post(
            idempotency_key=f"{run}-{n}",
            effective_date=today,
            source="adjustment",
            memo="benchmark posting",
            legs=[
                Leg(codes.AR_WATER, cents, rng.choice(ids), codes.CATEGORY_WATER),
                Leg(codes.REV_WATER, -cents),
            ],
            actor=actor,
        )
        posted += 1
    seconds = time.perf_counter() - started
    return {"entries": posted, "seconds": seconds, "entries_per_s": posted / seconds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--client-per-kind", type=int, default=10)
    parser.add_argument("--postings", type=int, default=2000)
    args = parser.parse_args()
    figures = {
        "accounts": Account.objects.count(),
        "search": search_latencies(args.per_kind),
        "typeahead": typeahead_latencies(args.client_per_kind),
        "account_page": account_page_latencies(args.pages),
        "posting": posting_throughput(args.postings),
    }
    json.dump(figures, sys.stdout)


if __name__ == "__main__":
    main()
