"""Read files are accepted whole or refused whole, with the line and reason of every error."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cistern.metering.domain.read_files import (
    HANDHELD_COLUMNS,
    ReadFileRejected,
    parse_ami,
    parse_canonical,
    parse_handheld,
    route_sheet_csv,
)

LA = ZoneInfo("America/Los_Angeles")
GOOD_CANONICAL = (
    b"meter_serial,read_at,reading,read_type,trouble_code,note\n"
    b"M100,2026-11-02T08:15,001234,actual,,\n"
    b"M101,2026-11-02T08:17:30-08:00,77,customer,,called in\n"
)


def test_a_good_canonical_file_gives_every_read_in_local_time():
    parsed = parse_canonical(GOOD_CANONICAL, zone=LA)
    assert [r.meter_key for r in parsed.reads] == ["M100", "M101"]
    assert parsed.reads[0].read_at == datetime(2026, 11, 2, 8, 15, tzinfo=LA)
    assert parsed.reads[0].raw_value == 1234
    assert parsed.reads[1].read_type == "customer"
    assert len(parsed.sha256) == 64


@pytest.mark.parametrize(
    ("body", "line", "reason"),
    [
        (b"M100,2026-11-02T08:15,12x,actual,,\n", 2, "not a whole register value"),
        (b"M100,yesterday,12,actual,,\n", 2, "not a date and time"),
        (b",2026-11-02T08:15,12,actual,,\n", 2, "meter_serial is empty"),
        (b"M100,2026-11-02T08:15,12,guess,,\n", 2, "read_type must be one of"),
        (b"M100,2026-11-02T08:15,12\n", 2, "3 columns, expected 6"),
        (b"M100,2026-11-02T08:15,-5,actual,,\n", 2, "not a whole register value"),
    ],
)
def test_a_bad_line_refuses_the_whole_file_naming_line_and_reason(body, line, reason):
    data = b"meter_serial,read_at,reading,read_type,trouble_code,note\n" + body
    with pytest.raises(ReadFileRejected) as refused:
        parse_canonical(data + b"M200,2026-11-02T08:15,5,actual,,\n", zone=LA)
    assert refused.value.errors[0][0] == line
    assert reason in refused.value.errors[0][1]


def test_every_bad_line_is_listed_not_just_the_first():
    data = (
        b"meter_serial,read_at,reading\nM1,2026-11-02T08:15,x\nM2,2026-11-02T08:15,1\nM3,never,1\n"
    )
    with pytest.raises(ReadFileRejected) as refused:
        parse_canonical(data, zone=LA)
    assert [n for n, _ in refused.value.errors] == [2, 4]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"meter_serial,read_at\n", "missing column(s) reading"),
        (b"meter_serial,read_at,reading,colour\n", "unknown column(s) colour"),
        (b"meter_serial,read_at,reading\n", "no reads"),
        ("meter_serial,read_at,reading\nM1,2026-11-02T08:15,1\n".encode("utf-16"), "not UTF-8"),
    ],
)
def test_files_that_are_not_read_files_are_refused(data, reason):
    with pytest.raises(ReadFileRejected) as refused:
        parse_canonical(data, zone=LA)
    assert reason in refused.value.errors[0][1]


def test_the_same_meter_and_time_twice_in_one_file_is_a_duplicate():
    data = b"meter_serial,read_at,reading\nM1,2026-11-02T08:15,1\nM1,2026-11-02T08:15,1\n"
    with pytest.raises(ReadFileRejected) as refused:
        parse_canonical(data, zone=LA)
    assert refused.value.errors == [(3, "duplicate of line 2 (same meter and time)")]


def test_an_ami_export_is_keyed_by_endpoint():
    data = (
        b"Endpoint ID,Read Date,Read Time,Register Value,Unit,Flags\n"
        b"EP-9001,2026-11-01,00:00,0004512,CCF,\n"
        b"EP-9002,2026-11-01,00:00:00,17,CCF,LEAK\n"
    )
    parsed = parse_ami(data, zone=LA)
    assert parsed.keyed_by == "endpoint"
    assert parsed.reads[1].trouble_code == "LEAK"
    assert parsed.reads[0].unit == "ccf"
    assert parsed.reads[0].read_type == "ami"


def test_a_handheld_file_round_trips_and_skips_meters_with_a_trouble_code():
    sheet = route_sheet_csv(
        [
            ["R01", 1, "M1", "1 Oak Ave", 6, 1000, 1010, 1040, "1022", "2026-11-02T09:00", ""],
            ["R01", 2, "M2", "3 Oak Ave", 6, 500, 505, 530, "", "", "DOG"],
        ]
    )
    assert sheet.splitlines()[0] == ",".join(HANDHELD_COLUMNS)
    parsed = parse_handheld(sheet.encode(), zone=LA)
    assert [(r.meter_key, r.raw_value) for r in parsed.reads] == [("M1", 1022)]


def test_a_handheld_row_with_neither_reading_nor_trouble_code_is_an_error():
    sheet = route_sheet_csv([["R01", 1, "M1", "1 Oak Ave", 6, 1000, 1010, 1040, "", "", ""]])
    with pytest.raises(ReadFileRejected, match="no reading and no trouble code"):
        parse_handheld(sheet.encode(), zone=LA)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_are_either_parsed_or_refused_with_reasons(data):
    for parse in (parse_canonical, parse_ami, parse_handheld):
        try:
            parse(GOOD_CANONICAL[:58] + data, zone=LA)
        except ReadFileRejected as refused:
            assert refused.errors
            assert all(isinstance(n, int) and why for n, why in refused.errors)
