"""Pure-rating benchmark: rate a realistic mix of bills and print bills per second.

Run: .venv/bin/python benchmarks/bench_rating.py [--bills 200000]

The mix (one monthly cycle of a mid-sized district): 70% single-family homes on
tiered rates with a winter-average sewer cap and a shortage surcharge, 8%
multi-family (per-unit service, tiers scaled by units, flat sewer per unit), 8%
commercial (uniform rate, sewer by strength class), 8% water-budget homes, 6%
irrigation (starting at tier 3, dormant meters). Usage is whole CCF as meters
register it. 5% of bills are short final bills and 5% straddle a rate change.
Each figure is CPU time of one process (one core), measured twice: with every line
computed (`cache=False`), and with the engine's default caches of bills and lines
(exact; see engine.py and compiled.py), starting cold: a new `Rater` whose caches
fill during the run, so the bills with distinct inputs are computed in it. The
load average is printed before and after: on a shared machine CPU time still grows
with the load (caches and cores are shared), so compare runs at similar load.
`--repeat N` measures N times and prints each run and the median.

Python's garbage collector is set as in a bill run's chunk processes, which do the rating
of a real run (`cistern.billing.collector`; why: `cistern.billing.chunks`, "Garbage
collection"): the workload, built before the clock starts, is frozen as a chunk process's
inherited objects are, and the youngest generation is collected every 50,000 allocations.
With Python's defaults a full collection walks the 200,000 accounts of the workload
whenever it runs, which is the benchmark's data rather than the engine's work, and the
figures swing by a third with the moment it falls on. `--default-collector` measures with
Python's defaults instead.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from cistern.billing.collector import collect_as_chunk_process
from cistern.rates.domain import (
    Applicability,
    BillingPeriod,
    BudgetStartKind,
    BudgetTier,
    BudgetTieredCharge,
    FixedCharge,
    Rater,
    RateVersion,
    RatingAttributes,
    SewerCap,
    SewerVolumetric,
    Tier,
    TieredCharge,
    VolumetricSurcharge,
    VolumeUnit,
)

D = Decimal
CCF = VolumeUnit.CCF
SIZES = {'5/8"': "21.50", '3/4"': "28.10", '1"': "41.35", '1-1/2"': "79.90", '2"': "125.60"}


def classes(*names: str) -> Applicability:
    return Applicability(classes=frozenset(names))


def demo_version(version_id: str, effective: date, scale: Decimal) -> RateVersion:
    def price(value: str) -> Decimal:
        return (D(value) * scale).quantize(D("0.0001"))

    def tiers(*pairs: tuple[str, str]) -> tuple[Tier, ...]:
        return tuple(Tier(D(start), price(p)) for start, p in pairs)

    by_meter = {size: price(amount) for size, amount in SIZES.items()}
    return RateVersion(
        version_id=version_id,
        effective_from=effective,
        nominal_days=30,
        normal_days=(28, 31),
        components=(
            FixedCharge(
                code="SERVICE",
                label="Water service",
                by_meter=by_meter,
                dormant_meter_size='5/8"',
                applies=classes("SFR", "COM", "BUDGET", "IRR"),
            ),
            FixedCharge(
                code="SERVICE-MF",
                label="Water service",
                per_dwelling_unit=price("14.25"),
                applies=classes("MFR"),
            ),
            TieredCharge(
                code="WATER",
                label="Water usage",
                unit=CCF,
                tiers=tiers(("0", "2.31"), ("8", "3.12"), ("20", "4.47")),
                applies=classes("SFR"),
            ),
            TieredCharge(
                code="WATER",
                label="Water usage",
                unit=CCF,
                tiers=tiers(("0", "2.31"), ("5", "3.12"), ("12", "4.47")),
                scale_by_dwelling_units=True,
                applies=classes("MFR"),
            ),
            TieredCharge(
                code="WATER",
                label="Water usage",
                unit=CCF,
                tiers=tiers(("0", "3.05")),
                applies=classes("COM"),
            ),
            TieredCharge(
                code="IRR",
                label="Irrigation",
                unit=CCF,
                tiers=tiers(("0", "2.31"), ("8", "3.12"), ("20", "4.47"), ("40", "6.10")),
                first_tier=3,
                applies=classes("IRR"),
            ),
            BudgetTieredCharge(
                code="BUDGET",
                label="Water usage (budget)",
                tiers=(
                    BudgetTier(BudgetStartKind.ZERO, price("1.49")),
                    BudgetTier(BudgetStartKind.INDOOR, price("1.70")),
                    BudgetTier(BudgetStartKind.BUDGET_FRACTION, price("2.62"), D(1)),
                    BudgetTier(BudgetStartKind.BUDGET_FRACTION, price("4.38"), D("1.25")),
                ),
                applies=classes("BUDGET"),
            ),
            VolumetricSurcharge(
                code="STAGE2", label="Stage 2 shortage", unit=CCF, price=price("0.35")
            ),
            SewerVolumetric(
                code="SEWER",
                label="Sewer",
                unit=CCF,
                price=price("3.80"),
                cap_kind=SewerCap.WINTER_AVERAGE,
                cap=D(10),
                applies=classes("SFR", "BUDGET"),
            ),
            FixedCharge(
                code="SEWER",
                label="Sewer",
                per_dwelling_unit=price("38.00"),
                applies=classes("MFR"),
            ),
            SewerVolumetric(
                code="SEWER",
                label="Sewer",
                unit=CCF,
                prices_by_strength={"LOW": price("4.10"), "HIGH": price("7.90")},
                applies=classes("COM"),
            ),
        ),
    )


def account(rng: random.Random) -> RatingAttributes:
    roll = rng.random()
    if roll < 0.70:
        meter = '5/8"' if rng.random() < 0.8 else '3/4"'
        cap = D(rng.randint(4, 12))
        return RatingAttributes(customer_class="SFR", meter_size=meter, sewer_cap_ccf=cap)
    if roll < 0.78:
        return RatingAttributes(customer_class="MFR", dwelling_units=rng.randint(2, 24))
    if roll < 0.86:
        meter = rng.choice(['1"', '1-1/2"', '2"'])
        strength = rng.choice(["LOW", "HIGH"])
        return RatingAttributes(customer_class="COM", meter_size=meter, strength_class=strength)
    if roll < 0.94:
        return RatingAttributes(
            customer_class="BUDGET",
            household_size=rng.randint(1, 6),
            irrigated_area_sqft=D(rng.randrange(0, 4000, 100)),
            et_inches=D("5.40"),
            sewer_cap_ccf=D(rng.randint(4, 12)),
        )
    return RatingAttributes(customer_class="IRR", meter_size=rng.choice(['1"', '2"']))


def workload(n: int, seed: int = 7) -> list[tuple[RatingAttributes, Decimal, BillingPeriod]]:
    rng = random.Random(seed)
    cycle = BillingPeriod(date(2025, 6, 3), date(2025, 7, 3))
    across = BillingPeriod(date(2025, 6, 20), date(2025, 7, 20))  # the July 1 change
    bills = []
    for _ in range(n):
        attrs = account(rng)
        usage = D(0 if rng.random() < 0.04 else min(int(rng.expovariate(1 / 12)) + 1, 300))
        roll = rng.random()
        period = cycle
        if roll < 0.05:
            period = BillingPeriod(cycle.start, date(2025, 6, 3 + rng.randint(1, 27)))
        elif roll < 0.10:
            period = across
        bills.append((attrs, usage, period))
    return bills


def measure(rater: Rater, bills: list[tuple[RatingAttributes, Decimal, BillingPeriod]]) -> float:
    rate = rater.rate
    started = time.process_time()
    total = 0
    for attrs, usage, period in bills:
        total += rate(attrs, usage, CCF, period).total_cents
    elapsed = time.process_time() - started
    print(f"  billed ${total / 100:,.2f} in {elapsed:.2f} s CPU")
    return len(bills) / elapsed


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--default-collector", action="store_true", help="Python's collector settings"
    )
    args = parser.parse_args()
    versions = [
        demo_version("FY25", date(2024, 7, 1), D(1)),
        demo_version("FY26", date(2025, 7, 1), D("1.045")),
    ]
    bills = workload(args.bills)
    distinct = len(set(bills))
    print(f"rating {len(bills):,} bills, {distinct:,} with distinct inputs (pure rating, one core)")
    if args.default_collector:
        print("garbage collector: Python's defaults")
    else:
        gc.freeze()
        collect_as_chunk_process()
        print("garbage collector: as in a bill run's chunk processes (workload frozen)")
    print(load())
    computed, cached = [], []
    for _ in range(args.repeat):
        computed.append(measure(Rater(versions, cache=False), bills))
        print(f"every line computed: {computed[-1]:,.0f} bills/s")
        cached.append(measure(Rater(versions), bills))
        print(f"with the caches (the default, cold): {cached[-1]:,.0f} bills/s")
    if args.repeat > 1:
        print(f"median: every line computed {statistics.median(computed):,.0f} bills/s, ", end="")
        print(f"with the caches {statistics.median(cached):,.0f} bills/s")
    print(load())


if __name__ == "__main__":
    main()
