"""Rate schedules as the billing app uses them: compiled once per run, applied per account.

An account is rated under every schedule whose service it has open and whose classes
include its premise class (empty = all classes). Each schedule's versions are handed to
one domain `Rater`, which splits the period at version changes. Each line is posted to a
charge category: the schedule's service, except sewer components, which post to sewer.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from cistern.rates.domain import BillingPeriod, BillLine, Rater, RatingAttributes, VolumeUnit
from cistern.rates.models import RateSchedule
from cistern.rates.selectors import domain_version

# Bill lines print in this order of services (then by schedule name).
SERVICE_ORDER = ("water", "sewer", "irrigation", "fire_line", "recycled")
NO_SCHEDULE = "No rate schedule applies to class “{cls}” for services {services}."
NO_SERVICE = "The account has no service open in the period."


class NoRate(Exception):
    """No schedule or no version can rate this account; the message says which."""


@dataclass(frozen=True)
class CategorizedLine:
    line: BillLine
    category: str


@dataclass
class _CompiledSchedule:
    schedule: RateSchedule
    rater: Rater
    sewer_codes: frozenset[str]

    def applies(self, cls: str, services: Iterable[str]) -> bool:
        classes = self.schedule.classes
        return self.schedule.service in services and (not classes or cls in classes)


class RaterSet:
    """All schedules, compiled for one period (or for given versions, in the calculator)."""

    def __init__(self, schedules: Iterable[RateSchedule], *, period_end: date) -> None:
        self._compiled: list[_CompiledSchedule] = []
        for schedule in schedules:
            records = [v for v in schedule.versions.all() if v.effective_from <= period_end]
            if not records:
                continue
            versions = [domain_version(r) for r in records]
            sewer = frozenset(c.code for v in versions for c in v.components if c.kind == "sewer")
            self._compiled.append(_CompiledSchedule(schedule, Rater(versions), sewer))

    @classmethod
    def for_period(cls, *, period_end: date) -> RaterSet:
        schedules = sorted(
            RateSchedule.objects.prefetch_related("versions"),
            key=lambda s: (SERVICE_ORDER.index(s.service), s.name, s.pk),
        )
        return cls(schedules, period_end=period_end)

    def rate(
        self,
        *,
        attrs: RatingAttributes,
        services: Set[str],
        usage: Decimal,
        unit: VolumeUnit,
        first_day: date,
        last_day: date,
    ) -> list[CategorizedLine]:
        """Every line for the account; `NoRate` when nothing applies. Dates inclusive."""
        if not services:
            raise NoRate(NO_SERVICE)
        period = BillingPeriod(first_day, last_day + timedelta(days=1))
        matching = [c for c in self._compiled if c.applies(attrs.customer_class, services)]
        if not matching:
            raise NoRate(
                NO_SCHEDULE.format(cls=attrs.customer_class, services=", ".join(sorted(services)))
            )
        lines: list[CategorizedLine] = []
        for compiled in matching:
            service = compiled.schedule.service
            for line in compiled.rater.rate(attrs, usage, unit, period).lines:
                category = "sewer" if line.code in compiled.sewer_codes else service
                lines.append(CategorizedLine(line, category))
        return lines
