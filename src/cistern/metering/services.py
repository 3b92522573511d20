"""Meter reads: file imports, manual entry, validation, and the route audit's decisions.

Every read is validated on the way in (``domain/validation.py``); a read with exceptions is
held until a person releases it with a reason, corrects it (a new read is recorded and the
original kept as ``corrected``) or sends it out for a reread. A file is imported whole or
not at all, and the same file (by SHA-256) imports once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.core.selectors import district_settings_get
from cistern.customers.domain.account_status import AccountStatus
from cistern.customers.models import Account
from cistern.metering.domain.read_files import (
    ParsedFile,
    ReadFileRejected,
    parse_ami,
    parse_canonical,
    parse_handheld,
)
from cistern.metering.domain.validation import ReadCheck, read_validate
from cistern.metering.history import billable_reads_before, installation_baseline
from cistern.metering.models import Meter, MeterInstallation, MeterRead, ReadImport

PARSERS = {"canonical": parse_canonical, "ami": parse_ami, "handheld": parse_handheld}
REASON_REQUIRED = "Give a reason: it is kept with the read for the audit trail."
NOT_HELD = "Only a read held for review can be released, corrected or sent for a reread."
NO_INSTALLATION = "Meter {meter} was not installed at any premise on {day}."
UNKNOWN_METER = "No meter with {kind} {key}."
UNIT_MISMATCH = "Unit {unit} does not match meter {meter}, which reads in {expected}."


@dataclass(frozen=True)
class ImportResult:
    read_import: ReadImport
    created: bool  # False: this exact file was imported before; nothing was added


def read_file_import(*, data: bytes, filename: str, layout: str, actor: Any) -> ImportResult:
    """Import a read file whole, or refuse it whole (``ReadFileRejected`` lists every error)."""
    if layout not in PARSERS:
        raise ServiceError(f"Unknown file layout {layout!r}.", field="layout")
    zone = ZoneInfo(district_settings_get().time_zone)
    parsed = PARSERS[layout](data, zone=zone)
    with transaction.atomic():
        existing = ReadImport.objects.filter(sha256=parsed.sha256).first()
        if existing is not None:
            return ImportResult(existing, created=False)
        targets = _resolve_meters(parsed)
        read_import = ReadImport.objects.create(
            layout=layout, filename=filename[:200], sha256=parsed.sha256, raw=data,
            imported_at=timezone.now(), imported_by=_user(actor),
        )  # fmt: skip
        held = 0
        for read, (meter, installation) in zip(parsed.reads, targets, strict=True):
            row = _record_read(
                installation=installation, meter=meter, read_at=read.read_at,
                raw_value=read.raw_value, read_type=read.read_type, actor=actor,
                trouble_code=read.trouble_code, source_import=read_import, source_line=read.line,
            )  # fmt: skip
            held += row.review == MeterRead.Review.HELD
        read_import.read_count, read_import.held_count = len(parsed.reads), held
        read_import.save(update_fields=["read_count", "held_count"])
        audit_record(
            actor=actor, action="metering.read_file.import", subject=read_import,
            after={"file": filename, "layout": layout, "reads": len(parsed.reads), "held": held},
        )  # fmt: skip
    return ImportResult(read_import, created=True)


def read_manual_enter(
    *, meter: Meter, read_at: datetime, raw_value: int, reason: str, actor: Any
) -> MeterRead:
    if not reason.strip():
        raise ServiceError(REASON_REQUIRED, field="reason")
    if raw_value < 0 or raw_value >= 10**meter.dials:
        raise ServiceError(
            f"A {meter.dials}-dial register reads 0 to {10**meter.dials - 1}.", field="raw_value"
        )
    with transaction.atomic():
        installation = _installation_at(meter, read_at)
        if installation is None:
            raise ServiceError(
                NO_INSTALLATION.format(meter=meter.serial, day=_local_date(read_at)),
                field="read_at",
            )
        read = _record_read(
            installation=installation, meter=meter, read_at=read_at, raw_value=raw_value,
            read_type=MeterRead.ReadType.MANUAL, actor=actor, entry_reason=reason.strip(),
        )  # fmt: skip
        audit_record(
            actor=actor, action="metering.read.manual", subject=read, reason=reason,
            after={"meter": meter.serial, "raw_value": raw_value, "review": read.review},
            account_id=_account_id(installation),
        )  # fmt: skip
    return read


def read_release(*, read: MeterRead, reason: str, actor: Any) -> MeterRead:
    """Accept a held read as it is: the reviewer confirms it (e.g. a real leak, a real wrap)."""
    return _review(read, MeterRead.Review.RELEASED, reason, actor)


def read_reread_request(*, read: MeterRead, reason: str, actor: Any) -> MeterRead:
    """Send a held read out to be read again; it stays unbillable."""
    return _review(read, MeterRead.Review.REREAD, reason, actor)


def read_correct(*, read: MeterRead, raw_value: int, reason: str, actor: Any) -> MeterRead:
    """Replace a held read's value: a new read records the correction; the original is kept."""
    if not reason.strip():
        raise ServiceError(REASON_REQUIRED, field="reason")
    with transaction.atomic():
        original = _review(read, MeterRead.Review.CORRECTED, reason, actor)
        installation = original.installation
        meter = installation.meter
        if raw_value < 0 or raw_value >= 10**meter.dials:
            raise ServiceError(
                f"A {meter.dials}-dial register reads 0 to {10**meter.dials - 1}.",
                field="raw_value",
            )
        corrected = _record_read(
            installation=installation, meter=meter, read_at=original.read_at, raw_value=raw_value,
            read_type=original.read_type, actor=actor, trouble_code=original.trouble_code,
            entry_reason=reason.strip(), corrects=original, is_correction=True,
        )  # fmt: skip
        audit_record(
            actor=actor, action="metering.read.correct", subject=corrected, reason=reason,
            before={"raw_value": original.raw_value}, after={"raw_value": raw_value},
            account_id=_account_id(installation),
        )  # fmt: skip
    return corrected


def _review(read: MeterRead, outcome: str, reason: str, actor: Any) -> MeterRead:
    if not reason.strip():
        raise ServiceError(REASON_REQUIRED, field="reason")
    with transaction.atomic():
        locked = (
            MeterRead.objects.select_for_update().select_related("installation").get(pk=read.pk)
        )
        if locked.review != MeterRead.Review.HELD:
            raise ServiceError(NOT_HELD)
        locked.review = outcome
        locked.review_reason = reason.strip()
        locked.reviewed_by = _user(actor)
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["review", "review_reason", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor, action=f"metering.read.{outcome}", subject=locked, reason=reason,
            before={"review": MeterRead.Review.HELD}, after={"review": outcome},
            account_id=_account_id(locked.installation),
        )  # fmt: skip
    return locked


def _record_read(
    *, installation: MeterInstallation, meter: Meter, read_at: datetime, raw_value: int,
    read_type: str, actor: Any, trouble_code: str = "", source_import: ReadImport | None = None,
    source_line: int | None = None, entry_reason: str = "", corrects: MeterRead | None = None,
    is_correction: bool = False,
) -> MeterRead:  # fmt: skip
    """Validate one read against its installation's history and store it."""
    history = billable_reads_before(installation, read_at)
    previous = history[-1] if history else None
    read_on = _local_date(read_at)
    duplicate = (
        not is_correction
        and MeterRead.objects.filter(installation=installation, read_at=read_at)
        .exclude(review=MeterRead.Review.CORRECTED)
        .exists()
    )
    start = previous.read_on if previous else installation.installed_on
    verdict = read_validate(
        ReadCheck(
            read_on=read_on, raw_value=raw_value, dials=meter.dials, multiplier=meter.multiplier,
            installed_on=installation.installed_on, removed_on=installation.removed_on,
            previous_read_on=previous.read_on if previous else None,
            previous_raw=previous.raw_value if previous else None,
            account_active=_account_active(installation),
            baseline_per_day=installation_baseline(history, start=start, end=read_on),
            duplicate=duplicate,
        )
    )  # fmt: skip
    return MeterRead.objects.create(
        installation=installation, read_at=read_at, read_on=read_on, raw_value=raw_value,
        read_type=read_type, trouble_code=trouble_code, volume=verdict.volume,
        exceptions=[str(code) for code in verdict.exceptions],
        review=MeterRead.Review.HELD if verdict.held else MeterRead.Review.ACCEPTED,
        source_import=source_import, source_line=source_line, entry_reason=entry_reason,
        corrects=corrects, recorded_at=timezone.now(), recorded_by=_user(actor),
    )  # fmt: skip


def _resolve_meters(parsed: ParsedFile) -> list[tuple[Meter, MeterInstallation]]:
    """The meter and installation of every read, or the file is refused listing each miss."""
    field = "ami_endpoint_id" if parsed.keyed_by == "endpoint" else "serial"
    keys = {read.meter_key for read in parsed.reads}
    meters = {getattr(m, field): m for m in Meter.objects.filter(**{f"{field}__in": keys})}
    found, errors = [], []
    for read in parsed.reads:
        meter = meters.get(read.meter_key)
        if meter is None:
            kind = "AMI endpoint" if field == "ami_endpoint_id" else "serial"
            errors.append((read.line, UNKNOWN_METER.format(kind=kind, key=read.meter_key)))
            continue
        if read.unit and read.unit != meter.unit:
            errors.append(
                (
                    read.line,
                    UNIT_MISMATCH.format(unit=read.unit, meter=meter.serial, expected=meter.unit),
                )
            )
            continue
        installation = _installation_at(meter, read.read_at)
        if installation is None:
            day = _local_date(read.read_at)
            errors.append((read.line, NO_INSTALLATION.format(meter=meter.serial, day=day)))
            continue
        found.append((meter, installation))
    if errors:
        raise ReadFileRejected(errors)
    return found


def _installation_at(meter: Meter, moment: datetime) -> MeterInstallation | None:
    """The installation in place on the read's date; a read after removal maps to the last one."""
    day = _local_date(moment)
    installations = list(meter.installations.order_by("-installed_on"))
    for installation in installations:
        if installation.installed_on <= day and (
            installation.removed_on is None or day <= installation.removed_on
        ):
            return installation
    # Outside every installation: keep it on the nearest one so validation can flag it.
    return installations[0] if installations else None


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment, ZoneInfo(district_settings_get().time_zone)).date()


def _account_active(installation: MeterInstallation) -> bool:
    return Account.objects.filter(
        premise_id=installation.premise_id, status=AccountStatus.ACTIVE
    ).exists()


def _account_id(installation: MeterInstallation) -> int | None:
    return (
        Account.objects.filter(premise_id=installation.premise_id)
        .order_by("-start_date")
        .values_list("id", flat=True)
        .first()
    )


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
