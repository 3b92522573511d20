"""The lockbox file: read whole or refused whole, with every problem and its line."""

from collections.abc import Callable

import pytest

from cistern.payments.domain.lockbox import (
    LockboxRejected,
    lockbox_file_id,
    lockbox_parse,
    lockbox_write,
)
from tests.unit.payments.payments_cast import (
    ALVAREZ,
    BAKER,
    DEPOSIT_DAY,
    good_file,
    item,
    three_items,
)

GOOD = good_file()
LINE_2 = b"LB0314,1,100000160000123455,123.45,1001,Maria Alvarez,2025-03-14"


def refusal(data: bytes) -> LockboxRejected:
    with pytest.raises(LockboxRejected) as refused:
        lockbox_parse(data)
    return refused.value


def codes_and_lines(data: bytes) -> set[tuple[str, int]]:
    return {(p.code, p.line_number) for p in refusal(data).problems}


def test_a_good_file_gives_every_item_with_its_line_and_the_files_totals() -> None:
    # given the bank's file of three payments
    # when it is read
    lockbox = lockbox_parse(GOOD)
    # then
    assert lockbox.item_count == 3
    assert lockbox.total_cents == 37_035
    assert [i.line_number for i in lockbox.items] == [2, 3, 4]
    first, second, third = lockbox.items
    assert first.scan_line.account_number == ALVAREZ
    assert first.amount_paid_cents == 12_345
    assert first.check_number == "1001"
    assert first.deposit_date == DEPOSIT_DAY
    assert second.scan_line.account_number == BAKER
    assert second.amount_paid_cents == 10_000  # paid more than the stub's 80.00
    assert second.payer_name == "Baker, Tom"
    assert third.payer_name == 'Li "Lily" Chen'
    assert lockbox.batch_totals() == {"LB0314": (3, 37_035)}


def test_the_file_is_identified_by_the_sha256_of_its_bytes() -> None:
    lockbox = lockbox_parse(GOOD)
    assert lockbox.file_sha256 == lockbox_file_id(GOOD)
    assert len(lockbox.file_sha256) == 64
    assert lockbox_parse(GOOD).file_sha256 == lockbox.file_sha256  # same file, same id
    assert lockbox_file_id(GOOD + b"\n") != lockbox.file_sha256


def test_the_writer_and_the_parser_round_trip() -> None:
    items = three_items()
    assert lockbox_parse(lockbox_write(items)).items == tuple(items)


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda b: b.replace(b"\n", b"\r\n"), id="CRLF line ends"),
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="UTF-8 byte order mark"),
        pytest.param(lambda b: b.rstrip(b"\n"), id="no newline after the trailer"),
        pytest.param(lambda b: b + b"\n\n", id="blank lines after the trailer"),
        pytest.param(lambda b: b.replace(b"batch_id", b"Batch_ID"), id="header in any case"),
        pytest.param(
            lambda b: b.replace(b"TRAILER,3,370.35", b"trailer,3,370.35,,,,"),
            id="trailer padded by a spreadsheet",
        ),
        pytest.param(lambda b: b.replace(b",123.45,", b", 123.45 ,"), id="spaces around a field"),
        pytest.param(
            lambda b: b.replace(b"100000160000123455", b"10000016 000012345 5"),
            id="a scan line printed in groups",
        ),
    ],
)
def test_harmless_variations_of_a_good_file_are_read(variant: Callable[[bytes], bytes]) -> None:
    assert lockbox_parse(variant(GOOD)).total_cents == 37_035


BAD_FILES = [
    ("empty", b"", {("empty", 0)}),
    ("only whitespace", b"\n \r\n", {("empty", 0)}),
    ("UTF-16", "batch_id".encode("utf-16"), {("utf16", 0)}),
    (
        "Latin-1 payer name",
        GOOD.replace(b"Maria Alvarez", "María Álvarez".encode("latin-1")),
        {("not_utf8", 2)},
    ),
    ("NUL byte", GOOD.replace(b"Maria", b"Ma\x00ria"), {("control_characters", 2)}),
    ("unclosed quote", GOOD.replace(b'"Baker, Tom"', b'"Baker, Tom'), {("bad_csv", 3)}),
    ("wrong header", GOOD.replace(b"scan_line", b"scanline"), {("bad_header", 1)}),
    (
        "truncated mid-line, no trailer",
        GOOD[: GOOD.index(b"\nLB0314,2") - 30],
        {("wrong_columns", 2), ("no_trailer", 0)},
    ),
    ("no trailer", GOOD[: GOOD.index(b"TRAILER")], {("no_trailer", 0)}),
    (
        "header and trailer only",
        b"\n".join([GOOD.splitlines()[0], b"TRAILER,0,0.00"]),
        {("no_items", 0)},
    ),
    (
        "line after the trailer",
        GOOD + LINE_2.replace(b",1,", b",9,").replace(b"1001", b"1009") + b"\n",
        {("early_trailer", 5), ("no_trailer", 0)},
    ),
    ("blank line inside", GOOD.replace(b"\nLB0314,2", b"\n\nLB0314,2"), {("blank_line", 3)}),
    (
        "too many columns",
        GOOD.replace(b",2025-03-14\nLB0314,2", b",2025-03-14,x\nLB0314,2"),
        {("wrong_columns", 2)},
    ),
    ("trailer count wrong", GOOD.replace(b"TRAILER,3,", b"TRAILER,4,"), {("count_mismatch", 5)}),
    ("trailer total wrong", GOOD.replace(b"370.35", b"370.36"), {("total_mismatch", 5)}),
    ("trailer malformed", GOOD.replace(b"TRAILER,3,370.35", b"TRAILER,3"), {("bad_trailer", 5)}),
    (
        "trailer count not a number",
        GOOD.replace(b"TRAILER,3,", b"TRAILER,three,"),
        {("bad_count", 5)},
    ),
    (
        "bad check digit",
        GOOD.replace(b"100000160000123455", b"100000160000123456"),
        {("scan_line_bad_check_digit", 2)},
    ),
    (
        "short scan line",
        GOOD.replace(b"100000160000123455", b"10000016000012345"),
        {("scan_line_wrong_length", 2)},
    ),
    (
        "more than two decimals",
        GOOD.replace(b"123.45,", b"123.450,").replace(b"370.35", b"370.350"),
        {("too_many_decimals", 2), ("too_many_decimals", 5)},
    ),
    ("negative amount", GOOD.replace(b",123.45,", b",-123.45,"), {("negative_amount", 2)}),
    ("amount without cents", GOOD.replace(b",100.00,", b",100,"), {("bad_amount", 3)}),
    ("amount with a dollar sign", GOOD.replace(b",100.00,", b",$100.00,"), {("bad_amount", 3)}),
    ("zero amount", GOOD.replace(b",100.00,", b",0.00,"), {("zero_amount", 3)}),
    (
        "date not ISO",
        GOOD.replace(b"1001,Maria Alvarez,2025-03-14", b"1001,Maria Alvarez,03/14/2025"),
        {("bad_date", 2)},
    ),
    (
        "impossible date",
        GOOD.replace(b"1001,Maria Alvarez,2025-03-14", b"1001,Maria Alvarez,2025-02-30"),
        {("bad_date", 2)},
    ),
    ("duplicate item", GOOD.replace(b"LB0314,2,", b"LB0314,1,"), {("duplicate_item", 3)}),
    (
        "the same check twice",
        GOOD.replace(
            b"LB0314,2,100000240000080002,100.00,1002",
            b"LB0314,2,100000160000123455,123.45,1001",
        ).replace(b"370.35", b"393.80"),
        {("duplicate_check", 3)},
    ),
    ("bad batch id", GOOD.replace(b"LB0314,3,", b"LB 0314,3,"), {("bad_batch_id", 4)}),
    ("item sequence zero", GOOD.replace(b"LB0314,3,", b"LB0314,0,"), {("bad_item_sequence", 4)}),
    ("check number with letters", GOOD.replace(b",1003,", b",10O3,"), {("bad_check_number", 4)}),
]


@pytest.mark.parametrize(
    ("data", "expected"), [(d, e) for _, d, e in BAD_FILES], ids=[name for name, _, _ in BAD_FILES]
)
def test_a_bad_file_is_refused_whole_with_each_problem_and_its_line(
    data: bytes, expected: set[tuple[str, int]]
) -> None:
    assert codes_and_lines(data) == expected


def test_every_problem_in_a_file_is_listed_not_just_the_first() -> None:
    # given a file with a bad check digit, a negative amount, a bad date and a wrong count
    data = (
        GOOD.replace(b"100000160000123455", b"100000160000123456")
        .replace(b",100.00,", b",-100.00,")
        .replace(b"1003,Li", b"1003,Li")
        .replace(b'Chen",2025-03-14', b'Chen",2025-13-01')
        .replace(b"TRAILER,3,", b"TRAILER,2,")
    )
    # when it is read, then it is refused with all four
    refused = refusal(data)
    assert [(p.line_number, p.code) for p in refused.problems] == [
        (2, "scan_line_bad_check_digit"),
        (3, "negative_amount"),
        (4, "bad_date"),
        (5, "count_mismatch"),
    ]
    assert "4 problems" in refused.message
    assert "nothing was posted" in refused.message
    assert refused.lines()[0].startswith("line 2: scan_line")


def test_a_bad_amount_is_not_reported_again_as_a_wrong_total() -> None:
    data = GOOD.replace(b",100.00,", b",100.0.0,")
    assert codes_and_lines(data) == {("bad_amount", 3)}


def test_a_problem_names_the_column_and_quotes_the_value() -> None:
    refused = refusal(GOOD.replace(b"1001,Maria Alvarez,2025-03-14", b"1001,Maria Alvarez,14.3.25"))
    (problem,) = refused.problems
    assert "deposit_date" in problem.reason
    assert "14.3.25" in problem.reason
    assert "YYYY-MM-DD" in problem.reason


def test_the_refusal_carries_the_files_identity() -> None:
    data = GOOD.replace(b"370.35", b"370.36")
    assert refusal(data).file_sha256 == lockbox_file_id(data)


def test_a_payment_for_more_or_less_than_the_stub_is_read_as_paid() -> None:
    items = [item(1, due_cents=5_000, paid_cents=2_500), item(2, due_cents=0, paid_cents=7_500)]
    lockbox = lockbox_parse(lockbox_write(items))
    assert [i.amount_paid_cents for i in lockbox.items] == [2_500, 7_500]
    assert [i.scan_line.amount_due_cents for i in lockbox.items] == [5_000, 0]


def test_batches_are_totalled_separately() -> None:
    items = [item(1, batch="A"), item(1, batch="B", paid_cents=100), item(2, batch="B")]
    assert lockbox_parse(lockbox_write(items)).batch_totals() == {
        "A": (1, 12_345),
        "B": (2, 12_445),
    }


def test_the_writer_refuses_a_name_the_layout_cannot_carry() -> None:
    with pytest.raises(ValueError):
        lockbox_write([item(1, payer="Maria\nAlvarez")])
