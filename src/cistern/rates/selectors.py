"""Reads for the rate and fee screens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cistern.rates.domain import RateVersion as DomainVersion
from cistern.rates.models import FeeSchedule, RateSchedule, RateVersion
from cistern.rates.serialization import version_from_dict


@dataclass(frozen=True)
class FeeHistory:
    code: str
    current: FeeSchedule | None  # in force on the given day
    rows: list[FeeSchedule]  # newest first, including future rows


def fee_schedule_list(*, as_of: date) -> list[FeeHistory]:
    """Every fee code with its row in force on ``as_of`` and its whole history."""
    by_code: dict[str, list[FeeSchedule]] = {}
    for row in FeeSchedule.objects.order_by("code", "-effective_from"):
        by_code.setdefault(row.code, []).append(row)
    result = []
    for code, rows in by_code.items():
        current = next((r for r in rows if r.effective_from <= as_of), None)
        result.append(FeeHistory(code=code, current=current, rows=rows))
    return result


def domain_version(record: RateVersion) -> DomainVersion:
    """The stored version as the rating engine's dataclass (``version_id`` = ``str(pk)``)."""
    return version_from_dict(record.document, version_id=str(record.pk))


def schedules_with_versions() -> list[RateSchedule]:
    return list(RateSchedule.objects.prefetch_related("versions").order_by("service", "name"))
