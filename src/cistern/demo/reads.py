"""Write the demo's meter reads in bulk, as the read-file import would have written them.

Each cycle's reads of one read day arrive as one canonical read file (``ReadImport``, its
raw bytes kept, one audit event), and every read is validated by the same pure function
the import calls (``metering.domain.validation.read_validate``) against the installation's
billable history (the last ``HISTORY_READS`` reads), so ``volume``, ``exceptions`` and
``review`` are what ``read_file_import`` would store. A history read that was held is
stored released by the district's senior CSR with a reason (and the audit event
``read_release`` writes): the period was billed. Current-period reads that are held stay
held for a person to review; one of them is sent out for a reread through
``read_reread_request`` itself. A set read at installation is a manual read.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from cistern.core.models import AuditEvent
from cistern.demo.domain.periods import CyclePeriods
from cistern.demo.domain.plan import DistrictPlan, MeterPlan
from cistern.demo.domain.usage import PlannedRead, planned_reads
from cistern.demo.persist import Ids, at_office_time, next_id, raw_insert, sequences_reset
from cistern.metering.domain.estimation import UsagePeriod, baseline_per_day
from cistern.metering.domain.validation import ReadCheck, read_validate
from cistern.metering.history import HISTORY_READS
from cistern.metering.models import MeterInstallation, MeterRead, ReadImport
from cistern.metering.services import read_reread_request

RELEASE_REASONS = {
    "zero": "Vacation home: the owner confirmed nobody was there.",
    "high": "Confirmed with the customer: seasonal irrigation and guests.",
    "low": "Confirmed with the customer: away part of the period.",
}
RELEASE_DEFAULT = "Register checked on the route audit; the read is right."
REREAD_REASON = "Read is far above this home's history; please read the register again."
INSTALL_REASON = "Set read when the meter was installed."
READ_MINUTE = 9 * 60  # reads are stamped 9:00 local on the read day


@lru_cache(maxsize=8192)
def _stamp(day: date, zone: ZoneInfo, minute: int) -> datetime:
    """``at_office_time``, remembered: a district has a few dozen read days."""
    return at_office_time(day, zone, minute)


@dataclass
class _Installation:
    """An installation's billable history while its reads are validated in order."""

    pk: int
    installed_on: date
    removed_on: date | None
    dials: int
    multiplier: Decimal
    active: bool
    account_id: int | None
    billable: list[tuple[date, int, Decimal | None]] = field(default_factory=list)
    # The usage period each billable read closes (None for the first), kept as reads arrive.
    periods: list[UsagePeriod | None] = field(default_factory=list)

    def accept(self, read_on: date, raw_value: int, volume: Decimal | None) -> None:
        """A billable read: it joins the history validation compares the next reads with."""
        period = None
        if self.billable and volume is not None:
            period = UsagePeriod(self.billable[-1][0], read_on, volume)
        self.billable.append((read_on, raw_value, volume))
        self.periods.append(period)

    def baseline(self, start: date, end: date) -> Decimal | None:
        """``installation_baseline`` over the last ``HISTORY_READS`` billable reads."""
        periods = [p for p in self.periods[-(HISTORY_READS - 1) :] if p is not None]
        if not periods:
            return None
        return baseline_per_day(periods, start=start, end=end)


@dataclass
class ReadsWritten:
    reads: int = 0
    held: int = 0
    released: int = 0
    imports: int = 0


def reads_write(
    plan: DistrictPlan,
    ids: Ids,
    periods: list[CyclePeriods],
    *,
    zone: ZoneInfo,
    staff_ids: dict[str, int],
    reviewer: Any,
) -> ReadsWritten:
    """Write every planned read (validated), the read files they came in, and audit rows."""
    installs = _installations(plan, ids)
    current_day = {i: p.current.last_day for i, p in enumerate(periods)}
    written = ReadsWritten()
    rows: list[tuple] = []
    audits: list[tuple] = []
    files: dict[tuple[int, date], list[tuple[int, str, PlannedRead]]] = defaultdict(list)
    first_read = next_id(MeterRead)
    rereads: list[int] = []
    old_serials = {c.premise: c.old.serial for c in plan.change_outs}
    removal_reads: dict[int, int] = {}
    for meter_reads in planned_reads(plan, periods):
        premise = plan.premises[meter_reads.premise]
        cycle = plan.routes[premise.route].cycle
        install = installs[(meter_reads.premise, meter_reads.replaced)]
        serial = premise.meter.serial
        if meter_reads.replaced:
            serial = old_serials[meter_reads.premise]
            removal_reads[install.pk] = meter_reads.reads[-1].raw_value
        for planned in meter_reads.reads:
            read_id = first_read + len(rows)
            current = planned.read_on == current_day[cycle]
            row, verdict_held = _validated_row(read_id, install, planned, current, zone, staff_ids)
            rows.append(row)
            written.held += verdict_held
            if verdict_held and not current:
                written.released += 1
                audits.append(_release_audit(row, install, staff_ids["dev"]))
            if planned.kind == "reread" and verdict_held:
                rereads.append(read_id)
            if planned.kind != "install":
                files[(cycle, planned.read_on)].append((read_id, serial, planned))
    imports = _imports(plan, files, zone, staff_ids["gus"], rows)
    written.imports = len(files)
    rows = list(_with_sources(rows, imports))
    written.reads = raw_insert(MeterRead, _READ_COLUMNS, rows)
    raw_insert(AuditEvent, _AUDIT_COLUMNS, audits)
    sequences_reset([MeterRead, ReadImport])
    for installation_id, raw_value in removal_reads.items():  # the old meter's last read
        MeterInstallation.objects.filter(pk=installation_id).update(removal_read=raw_value)
    for read in MeterRead.objects.filter(pk__in=rereads):
        read_reread_request(read=read, reason=REREAD_REASON, actor=reviewer)
    return written


def _installations(plan: DistrictPlan, ids: Ids) -> dict[tuple[int, bool], _Installation]:
    """Each premise's installations (by plan index; True: the meter changed out), as
    validation sees them."""
    active_premises = {a.premise for a in plan.accounts if a.status == "active"}
    account_of: dict[int, int] = {}
    for index, account in enumerate(plan.accounts):
        account_of[account.premise] = ids.account(index)  # the latest account at the premise
    rows = MeterInstallation.objects.filter(
        premise_id__gte=ids.premise(0), premise_id__lte=ids.premise(len(plan.premises) - 1)
    ).values_list("premise_id", "id", "removed_on")
    by_premise = {(premise_id, removed is not None): pk for premise_id, pk, removed in rows}
    meters: dict[tuple[int, bool], tuple[MeterPlan, date | None]] = {
        (i, False): (p.meter, None) for i, p in enumerate(plan.premises)
    }
    meters |= {(c.premise, True): (c.old, c.day) for c in plan.change_outs}
    found = {}
    for (index, replaced), (meter, removed_on) in meters.items():
        found[(index, replaced)] = _Installation(
            pk=by_premise[(ids.premise(index), replaced)],
            installed_on=meter.installed_on,
            removed_on=removed_on,
            dials=meter.dials,
            multiplier=Decimal(meter.multiplier),
            active=index in active_premises,
            account_id=account_of.get(index),
        )
    return found


def _validated_row(
    read_id: int,
    install: _Installation,
    planned: PlannedRead,
    current: bool,
    zone: ZoneInfo,
    staff_ids: dict[str, int],
) -> tuple[tuple, bool]:
    """The MeterRead row ``read_file_import`` would store, and whether it was held."""
    previous = install.billable[-1] if install.billable else None
    start = previous[0] if previous else install.installed_on
    verdict = read_validate(
        ReadCheck(
            read_on=planned.read_on, raw_value=planned.raw_value, dials=install.dials,
            multiplier=install.multiplier, installed_on=install.installed_on,
            removed_on=install.removed_on,
            previous_read_on=previous[0] if previous else None,
            previous_raw=previous[1] if previous else None, account_active=install.active,
            baseline_per_day=install.baseline(start, planned.read_on),
        )
    )  # fmt: skip
    held = verdict.held
    review, reason, reviewer, reviewed_at = MeterRead.Review.ACCEPTED, "", None, None
    if held and current:
        review = MeterRead.Review.HELD
    elif held:
        review, reviewer = MeterRead.Review.RELEASED, staff_ids["dev"]
        codes = [str(code) for code in verdict.exceptions]
        reason = RELEASE_REASONS.get(codes[0], RELEASE_DEFAULT)
        reviewed_at = _stamp(planned.read_on + timedelta(days=1), zone, 10 * 60)
    if review != MeterRead.Review.HELD:
        install.accept(planned.read_on, planned.raw_value, verdict.volume)
    read_at = _stamp(planned.read_on, zone, READ_MINUTE)
    manual = planned.kind == "install"
    row = (
        read_id, install.pk, read_at, planned.read_on, planned.raw_value, planned.read_type,
        verdict.volume, [str(code) for code in verdict.exceptions], review, reason,
        reviewer, reviewed_at, INSTALL_REASON if manual else "",
        _stamp(planned.read_on, zone, 15 * 60), staff_ids["gus"], None, None,
    )  # fmt: skip
    return row, held


_READ_COLUMNS = (
    "id", "installation_id", "read_at", "read_on", "raw_value", "read_type", "volume",
    "exceptions", "review", "review_reason", "reviewed_by_id", "reviewed_at", "entry_reason",
    "recorded_at", "recorded_by_id", "source_import_id", "source_line",
)  # fmt: skip
_SOURCE = _READ_COLUMNS.index("source_import_id")


def _imports(
    plan: DistrictPlan,
    files: dict[tuple[int, date], list[tuple[int, str, PlannedRead]]],
    zone: ZoneInfo,
    field_user: int,
    rows: list[tuple],
) -> dict[int, tuple[int, int]]:
    """One canonical read file per cycle and read day; read id -> (import id, line)."""
    held_by_id = {row[0]: bool(row[7]) for row in rows}
    records, lines = [], {}
    for (cycle, day), reads in sorted(files.items()):
        data = _canonical_file(reads, zone)
        code = plan.cycles[cycle].code
        records.append(
            ReadImport(
                layout=ReadImport.Layout.CANONICAL,
                filename=f"{code}-reads-{day.isoformat()}.csv",
                sha256=hashlib.sha256(data).hexdigest(),
                raw=data,
                read_count=len(reads),
                held_count=sum(held_by_id[read_id] for read_id, _s, _p in reads),
                imported_at=at_office_time(day, zone, 15 * 60),
                imported_by_id=field_user,
            )
        )
    created = ReadImport.objects.bulk_create(records)
    audits = []
    for record, reads in zip(created, (files[k] for k in sorted(files)), strict=True):
        for line, (read_id, _serial, _planned) in enumerate(reads, start=2):
            lines[read_id] = (record.pk, line)
        audits.append(_import_audit(record, field_user))
    raw_insert(AuditEvent, _AUDIT_COLUMNS, audits)
    return lines


def _canonical_file(reads: list[tuple[int, str, PlannedRead]], zone: ZoneInfo) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("meter_serial", "read_at", "reading", "read_type"))
    for _read_id, serial, planned in reads:
        moment = at_office_time(planned.read_on, zone, READ_MINUTE)
        writer.writerow((serial, moment.isoformat(), planned.raw_value, planned.read_type))
    return out.getvalue().encode("utf-8")


def _with_sources(rows: list[tuple], sources: dict[int, tuple[int, int]]) -> Iterator[tuple]:
    for row in rows:
        source = sources.get(row[0])
        if source is None:
            yield row
        else:
            yield (*row[:_SOURCE], *source)


_AUDIT_COLUMNS = (
    "occurred_at", "actor_id", "action", "subject_type", "subject_id", "account_id", "before",
    "after", "reason",
)  # fmt: skip


def _import_audit(record: ReadImport, actor_id: int) -> tuple:
    after = {"file": record.filename, "layout": record.layout, "reads": record.read_count,
             "held": record.held_count}  # fmt: skip
    label = ReadImport._meta.label
    return (
        record.imported_at, actor_id, "metering.read_file.import", label, str(record.pk), None,
        {}, after, "",
    )  # fmt: skip


def _release_audit(row: tuple, install: _Installation, actor_id: int) -> tuple:
    """The audit event ``read_release`` writes for a history read released by review."""
    read_id, reason, reviewed_at = row[0], row[9], row[11]
    label = MeterRead._meta.label
    return (
        reviewed_at, actor_id, "metering.read.released", label, str(read_id),
        install.account_id, {"review": "held"}, {"review": "released"}, reason,
    )  # fmt: skip


def current_exceptions(since: date) -> dict[str, int]:
    """How many reads on or after ``since`` wait for review, by exception code."""
    counts: dict[str, int] = defaultdict(int)
    waiting = MeterRead.objects.filter(
        read_on__gte=since, review__in=[MeterRead.Review.HELD, MeterRead.Review.REREAD]
    )
    for codes in waiting.values_list("exceptions", flat=True):
        for code in codes:
            counts[code] += 1
    return dict(counts)
