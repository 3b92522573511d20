"""Reads come in by file or by hand, are validated, and held exceptions are reviewed."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent
from cistern.metering.domain.read_files import ReadFileRejected
from cistern.metering.models import MeterRead, ReadImport
from cistern.metering.services import (
    NOT_HELD,
    REASON_REQUIRED,
    read_correct,
    read_file_import,
    read_manual_enter,
    read_release,
    read_reread_request,
)
from cistern.staff.roles import Role

LA = ZoneInfo("America/Los_Angeles")
HEADER = b"meter_serial,read_at,reading\n"


def monthly_file(*values, serial=b"M100"):
    lines = [HEADER]
    for month, value in enumerate(values, start=1):
        lines.append(b"%s,2026-%02d-01T08:00,%d\n" % (serial, month, value))
    return b"".join(lines)


def test_a_good_file_imports_every_read_and_keeps_the_raw_file(installed_meter, user_for):
    data = monthly_file(1000, 1010, 1021, 1030)
    result = read_file_import(
        data=data, filename="reads.csv", layout="canonical", actor=user_for(Role.CSR_II)
    )
    assert result.created
    assert bytes(result.read_import.raw) == data
    reads = list(MeterRead.objects.order_by("read_at"))
    assert [r.volume for r in reads] == [None, Decimal(10), Decimal(11), Decimal(9)]
    assert all(r.review == MeterRead.Review.ACCEPTED for r in reads)
    assert reads[0].read_on.isoformat() == "2026-01-01"


def test_the_same_file_twice_adds_nothing(installed_meter, user_for):
    data = monthly_file(1000, 1010)
    read_file_import(data=data, filename="a.csv", layout="canonical", actor=user_for(Role.CSR_II))
    again = read_file_import(
        data=data, filename="b.csv", layout="canonical", actor=user_for(Role.CSR_II)
    )
    assert not again.created
    assert MeterRead.objects.count() == 2
    assert ReadImport.objects.count() == 1


def test_a_file_naming_an_unknown_meter_is_refused_whole(installed_meter, user_for):
    data = monthly_file(1000, 1010) + b"NOPE,2026-03-01T08:00,5\n"
    with pytest.raises(ReadFileRejected) as refused:
        read_file_import(
            data=data, filename="x.csv", layout="canonical", actor=user_for(Role.CSR_II)
        )
    assert refused.value.errors == [(4, "No meter with serial NOPE.")]
    assert MeterRead.objects.count() == 0
    assert ReadImport.objects.count() == 0


def test_an_ami_file_finds_meters_by_endpoint_and_checks_the_unit(installed_meter, user_for):
    head = b"Endpoint ID,Read Date,Read Time,Register Value,Unit,Flags\n"
    good = head + b"EP-100,2026-01-01,00:00,1000,CCF,\nEP-100,2026-02-01,00:00,1012,CCF,\n"
    read_file_import(data=good, filename="ami.csv", layout="ami", actor=user_for(Role.CSR_II))
    assert MeterRead.objects.filter(read_type="ami").count() == 2
    bad = head + b"EP-100,2026-03-01,00:00,1020,GAL,\n"
    with pytest.raises(ReadFileRejected, match="does not match meter M100"):
        read_file_import(data=bad, filename="ami2.csv", layout="ami", actor=user_for(Role.CSR_II))


def test_a_spike_is_held_as_high_and_released_with_a_reason(installed_meter, user_for):
    csr = user_for(Role.CSR_II)
    read_file_import(
        data=monthly_file(1000, 1010, 1020, 1030, 1100),
        filename="f.csv",
        layout="canonical",
        actor=csr,
    )
    spike = MeterRead.objects.order_by("-read_at").first()
    assert spike.review == MeterRead.Review.HELD
    assert spike.exceptions == ["high"]
    with pytest.raises(ServiceError, match=REASON_REQUIRED):
        read_release(read=spike, reason="  ", actor=csr)
    released = read_release(read=spike, reason="Customer confirmed a pool fill", actor=csr)
    assert released.review == MeterRead.Review.RELEASED and released.billable
    assert AuditEvent.objects.filter(action="metering.read.released").count() == 1
    with pytest.raises(ServiceError, match=NOT_HELD):
        read_release(read=released, reason="again", actor=csr)


def test_a_correction_keeps_the_original_and_records_the_new_value(installed_meter, user_for):
    csr = user_for(Role.CSR_II)
    read_file_import(
        data=monthly_file(1000, 1010, 990), filename="f.csv", layout="canonical", actor=csr
    )
    wrong = MeterRead.objects.order_by("-read_at").first()
    assert wrong.exceptions == ["negative"]
    fixed = read_correct(read=wrong, raw_value=1019, reason="Misread: 990 for 1019", actor=csr)
    wrong.refresh_from_db()
    assert wrong.review == MeterRead.Review.CORRECTED
    assert fixed.corrects == wrong
    assert fixed.volume == Decimal(9) and fixed.review == MeterRead.Review.ACCEPTED
    event = AuditEvent.objects.get(action="metering.read.correct")
    assert event.before == {"raw_value": 990} and event.after == {"raw_value": 1019}


def test_a_reread_request_leaves_the_read_unbillable(installed_meter, user_for):
    csr = user_for(Role.CSR_II)
    read_file_import(data=monthly_file(1000, 1000), filename="f.csv", layout="canonical", actor=csr)
    zero = MeterRead.objects.order_by("-read_at").first()
    assert zero.exceptions == ["zero"]
    sent = read_reread_request(read=zero, reason="Meter may be stuck", actor=csr)
    assert sent.review == MeterRead.Review.REREAD and not sent.billable


def test_manual_entry_needs_a_reason_and_a_value_that_fits_the_register(installed_meter, user_for):
    csr = user_for(Role.CSR_II)
    when = datetime(2026, 1, 5, 10, 0, tzinfo=LA)
    with pytest.raises(ServiceError, match=REASON_REQUIRED):
        read_manual_enter(meter=installed_meter, read_at=when, raw_value=5, reason="", actor=csr)
    with pytest.raises(ServiceError, match="reads 0 to 999999"):
        read_manual_enter(
            meter=installed_meter, read_at=when, raw_value=10**6, reason="x", actor=csr
        )
    read = read_manual_enter(
        meter=installed_meter, read_at=when, raw_value=5, reason="Customer phoned in", actor=csr
    )
    assert read.read_type == "manual" and read.entry_reason == "Customer phoned in"
    assert MeterRead.objects.count() == 1


def test_a_read_before_the_meter_was_installed_is_held(installed_meter, user_for):
    data = HEADER + b"M100,2023-12-15T08:00,5\n"
    read_file_import(data=data, filename="old.csv", layout="canonical", actor=user_for(Role.CSR_II))
    assert MeterRead.objects.get().exceptions == ["before_install"]
