"""Writes to rate schedules and versions (fees: ``fee_services``).

A version is validated before it is stored: its document must deserialize to a domain
`RateVersion` and rate a sample bill for every class it names. Once any posted bill has a
line from a version, the version is frozen; a change is a new version (issue 3 §1).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.rates.domain import BillingPeriod, RatingAttributes, RatingError, VolumeUnit
from cistern.rates.domain import RateVersion as DomainVersion
from cistern.rates.domain.engine import rate_bill
from cistern.rates.domain.owrs import OwrsError, read_owrs
from cistern.rates.models import RateSchedule, RateVersion
from cistern.rates.serialization import SerializationError, version_from_dict, version_to_dict

VERSION_INVALID = "The rate document is not valid: {detail}"
VERSION_SAMPLE_FAILED = "The rates cannot bill a sample {cls} account: {detail}"
VERSION_SAME_DAY = (
    "{schedule} already has a version effective {day}. Choose another effective date."
)
VERSION_FROZEN = (
    "This version was used on posted bills and can no longer change. "
    "Create a new version with a later effective date instead."
)
SCHEDULE_NAME_TAKEN = "A rate schedule named “{name}” already exists."
SAMPLE_CLASSES = ("sfr",)


def version_parse(*, document: Any, version_id: str = "new") -> DomainVersion:
    """The domain version described by ``document``; ServiceError saying what is wrong."""
    try:
        return version_from_dict(document, version_id=version_id)
    except SerializationError as error:
        raise ServiceError(_(VERSION_INVALID).format(detail=error), field="document") from error


def version_sample_check(*, version: DomainVersion, classes: list[str]) -> None:
    """Rate a month of 12 CCF for each class the schedule serves; refuse on any error."""
    period = BillingPeriod(version.effective_from, _days_after(version.effective_from, 30))
    for cls in classes or SAMPLE_CLASSES:
        try:
            rate_bill(
                attributes=RatingAttributes(customer_class=cls),
                usage=Decimal(12),
                unit=VolumeUnit.CCF,
                period=period,
                versions=[version],
            )
        except (RatingError, ArithmeticError, KeyError, ValueError) as error:
            raise ServiceError(
                _(VERSION_SAMPLE_FAILED).format(cls=cls, detail=error), field="document"
            ) from error


@transaction.atomic
def rate_schedule_create(
    *, name: str, service: str, classes: list[str], description: str = "", actor: Any
) -> RateSchedule:
    if RateSchedule.objects.filter(name=name.strip()).exists():
        raise ServiceError(_(SCHEDULE_NAME_TAKEN).format(name=name), field="name")
    schedule = RateSchedule.objects.create(
        name=name.strip(), service=service, classes=sorted(set(classes)), description=description
    )
    audit_record(
        actor=actor,
        action="rates.schedule.create",
        subject=schedule,
        after={"name": schedule.name, "service": service, "classes": schedule.classes},
    )
    return schedule


@transaction.atomic
def rate_version_create(
    *, schedule: RateSchedule, document: Any, note: str = "", actor: Any
) -> RateVersion:
    """Store a new version after validating it (deserialize + rate a sample bill)."""
    version = version_parse(document=document)
    version_sample_check(version=version, classes=list(schedule.classes))
    RateSchedule.objects.select_for_update().get(pk=schedule.pk)
    if RateVersion.objects.filter(schedule=schedule, effective_from=version.effective_from):
        raise ServiceError(
            _(VERSION_SAME_DAY).format(schedule=schedule.name, day=version.effective_from),
            field="document",
        )
    try:
        with transaction.atomic():
            record = RateVersion.objects.create(
                schedule=schedule,
                note=note,
                created_by=actor if getattr(actor, "pk", None) else None,
                **_columns(version),
            )
    except IntegrityError as error:  # a concurrent create on the same day
        raise ServiceError(
            _(VERSION_SAME_DAY).format(schedule=schedule.name, day=version.effective_from)
        ) from error
    audit_record(
        actor=actor,
        action="rates.version.create",
        subject=record,
        after={"schedule": schedule.name, "effective_from": version.effective_from},
        reason=version.resolution_number,
    )
    return record


@transaction.atomic
def rate_version_update(*, record: RateVersion, document: Any, actor: Any) -> RateVersion:
    """Change a version not yet used on a posted bill (a correction before first use)."""
    record = RateVersion.objects.select_for_update().get(pk=record.pk)
    if rate_version_is_frozen(record=record):
        raise ServiceError(_(VERSION_FROZEN), field="document")
    version = version_parse(document=document, version_id=str(record.pk))
    version_sample_check(version=version, classes=list(record.schedule.classes))
    before = {"document": record.document}
    for name, value in _columns(version).items():
        setattr(record, name, value)
    record.save()
    audit_record(
        actor=actor,
        action="rates.version.update",
        subject=record,
        before=before,
        after={"document": record.document},
    )
    return record


def rate_version_is_frozen(*, record: RateVersion) -> bool:
    """True once a posted (or since cancelled) bill has a line from this version."""
    from cistern.billing.models import Bill, BillLine  # billing depends on rates, not back

    return BillLine.objects.filter(
        rate_version_id=record.pk,
        bill__status__in=[Bill.Status.POSTED, Bill.Status.CANCELLED],
    ).exists()


def _columns(version: DomainVersion) -> dict[str, Any]:
    return {
        "effective_from": version.effective_from,
        "resolution_number": version.resolution_number,
        "resolution_date": version.resolution_date,
        "document": version_to_dict(version),
    }


def _days_after(day: date, days: int) -> date:
    return day + timedelta(days=days)


OWRS_UNKNOWN_CLASS = (
    "OWRS class “{name}” is not a Cistern premise class. Rename it in the file to one of: {known}."
)


def rate_version_import_owrs(
    *, schedule: RateSchedule, document: Any, note: str, actor: Any
) -> RateVersion:
    """A new version from a loaded OWRS document; its class names must be premise classes."""
    from cistern.customers.models import PremiseClass

    try:
        version = read_owrs(document if isinstance(document, dict) else {}, version_id="owrs")
    except OwrsError as error:
        raise ServiceError(str(error), field="file") from error
    known = {c.value for c in PremiseClass}
    for component in version.components:
        for name in sorted(component.applies.classes - known):
            raise ServiceError(
                _(OWRS_UNKNOWN_CLASS).format(name=name, known=", ".join(sorted(known))),
                field="file",
            )
    return rate_version_create(
        schedule=schedule, document=version_to_dict(version), note=note, actor=actor
    )
