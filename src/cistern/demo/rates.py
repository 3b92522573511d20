"""Store the demo rate book through the rates app's services (validated, audited).

Each schedule is created with ``rate_schedule_create`` and each version with
``rate_version_create``, exactly as the rate editor stores them, so the demo's rates are
real data: the editor shows them, the calculator prices with them, bill runs rate with them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cistern.demo.domain.rate_book import rate_book
from cistern.rates.services import rate_schedule_create, rate_version_create

VERSION_NOTES = ("Rates in force when the demo history begins", "Cost-of-service increase")


def rate_book_write(*, first_on: date, change_on: date, actor: Any) -> int:
    """Create the demo schedules and their versions; returns how many versions."""
    count = 0
    for spec in rate_book(first_on=first_on, change_on=change_on):
        schedule = rate_schedule_create(
            name=spec.name,
            service=spec.service,
            classes=list(spec.classes),
            description=spec.description,
            actor=actor,
        )
        for document, note in zip(spec.versions, VERSION_NOTES, strict=True):
            rate_version_create(schedule=schedule, document=document, note=note, actor=actor)
            count += 1
    return count
