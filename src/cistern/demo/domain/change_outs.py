"""Meter change-outs during the demo's history: an old meter replaced by a new one.

One or two homes whose meter is old get a new meter on a day halfway through the history:
the old meter is read for the last time that day and retired; the new one starts at zero.
The bill of that period adds the use of both (``billing.inputs``). Pure; draws from
``Random(seed + SEED_OFFSET)`` so the rest of the district does not change.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from cistern.demo.domain.plan import ChangeOutPlan, DistrictPlan

SEED_OFFSET = 7_777
OLD_METER_YEARS = 8
REPLACEMENT = ("Sensus", "iPERL", "SI")  # make, model, serial prefix
SERIAL_BASE = 9_000_000  # above the serials the meter shop hands out


def change_outs_plan(plan: DistrictPlan, *, day: date, count: int = 2) -> None:
    """Replace the meters of up to ``count`` old single-family meters on ``day``."""
    rng = random.Random(plan.seed + SEED_OFFSET)
    old_enough = day - timedelta(days=365 * OLD_METER_YEARS)
    active = {a.premise for a in plan.accounts if a.status == "active"}
    candidates = [
        i
        for i, p in enumerate(plan.premises)
        if i in active
        and p.premise_class == "sfr"
        and p.meter.installed_on < old_enough
        and p.meter.unit == "ccf"
    ]
    for n, premise in enumerate(sorted(rng.sample(candidates, min(count, len(candidates))))):
        old = plan.premises[premise].meter
        make, model, prefix = REPLACEMENT
        new = replace(
            old,
            serial=f"{prefix}{day.year % 100:02d}{SERIAL_BASE + n:07d}",
            make=make,
            model=model,
            installed_on=day,
            install_read=0,
        )
        plan.premises[premise].meter = new
        plan.change_outs.append(ChangeOutPlan(premise, day, old))
