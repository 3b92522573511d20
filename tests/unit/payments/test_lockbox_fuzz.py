"""Fuzzing the lockbox reader: any bytes are read or refused with reasons, never a crash."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cistern.core.domain.check_digit import with_check_digit
from cistern.payments.domain.lockbox import (
    LockboxItem,
    LockboxRejected,
    lockbox_parse,
    lockbox_write,
)
from cistern.payments.domain.scan_line import scan_line_build, scan_line_parse

FUZZ = settings(deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow])

accounts = st.integers(min_value=1, max_value=8_999_999).map(
    lambda n: with_check_digit(str(1_000_000 + n))
)
cents = st.integers(min_value=1, max_value=999_999_999)
payer_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")),
    max_size=100,
).map(str.strip)
ID_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
batch_ids = st.text(alphabet=ID_CHARACTERS, min_size=1, max_size=20).filter(
    lambda b: b.upper() != "TRAILER"
)


@st.composite
def lockbox_items(draw: st.DrawFn) -> LockboxItem:
    account = draw(accounts)
    return LockboxItem(
        batch_id=draw(batch_ids),
        item_sequence=draw(st.integers(min_value=1, max_value=999_999_999)),
        scan_line=scan_line_parse(
            scan_line_build(account, draw(st.integers(min_value=0, max_value=999_999_999)))
        ),
        amount_paid_cents=draw(cents),
        check_number=draw(st.text(alphabet="0123456789", max_size=15)),
        payer_name=draw(payer_names),
        deposit_date=draw(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31))),
    )


def _check_key(item: LockboxItem) -> tuple[str, str, int]:
    check = item.check_number or f"no check {item.batch_id} {item.item_sequence}"
    return (item.scan_line.account_number, check, item.amount_paid_cents)


item_lists = st.lists(
    lockbox_items(),
    min_size=1,
    max_size=8,
    unique_by=(lambda i: (i.batch_id, i.item_sequence), _check_key),
)


def read_or_refuse(data: bytes) -> LockboxRejected | None:
    """Parse ``data``; only a clean read or a reasoned refusal may come out."""
    try:
        lockbox_parse(data)
    except LockboxRejected as refused:
        assert refused.problems
        assert all(p.reason and p.code for p in refused.problems)
        assert all(p.line_number >= 0 for p in refused.problems)
        return refused
    return None


@FUZZ
@given(items=item_lists)
def test_what_the_writer_writes_the_parser_reads_back_the_same(items: list[LockboxItem]) -> None:
    lockbox = lockbox_parse(lockbox_write(items))
    assert lockbox.items == tuple(items)
    assert lockbox.total_cents == sum(i.amount_paid_cents for i in items)


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes_are_read_or_refused_with_reasons(data: bytes) -> None:
    read_or_refuse(data)


csv_fragments = st.sampled_from(
    [
        "batch_id,item_sequence,scan_line,amount_paid,check_number,payer_name,deposit_date",
        "LB1,1,100000160000123455,123.45,1001,Maria,2025-03-14",
        "TRAILER,1,123.45",
        "TRAILER",
        '"',
        ",",
        "\r",
        "\x00",
        "-1.00",
        "1.005",
        "2025-02-30",
        "١٢٣",
        "\u2028",
        "é",
    ]
)
csv_like = st.lists(
    st.lists(st.one_of(csv_fragments, st.text(max_size=12)), max_size=9).map(",".join),
    max_size=8,
).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))


@FUZZ
@given(data=csv_like)
def test_random_csv_like_text_is_read_or_refused_with_reasons(data: bytes) -> None:
    read_or_refuse(data)


@FUZZ
@given(items=item_lists, data=st.data())
def test_a_valid_file_cut_short_anywhere_is_refused(
    items: list[LockboxItem], data: st.DataObject
) -> None:
    good = lockbox_write(items)
    cut = data.draw(st.integers(min_value=0, max_value=len(good.rstrip(b"\n")) - 1))
    assert read_or_refuse(good[:cut]) is not None


@FUZZ
@given(items=item_lists, data=st.data())
def test_a_valid_file_with_a_line_dropped_or_repeated_is_refused(
    items: list[LockboxItem], data: st.DataObject
) -> None:
    lines = lockbox_write(items).splitlines(keepends=True)
    index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    dropped = b"".join(lines[:index] + lines[index + 1 :])
    repeated = b"".join(lines[: index + 1] + lines[index:])
    assert read_or_refuse(dropped) is not None
    assert read_or_refuse(repeated) is not None


@FUZZ
@given(items=item_lists, data=st.data())
def test_a_digit_misread_in_any_scan_line_is_refused(
    items: list[LockboxItem], data: st.DataObject
) -> None:
    good = lockbox_write(items)
    victim = data.draw(st.sampled_from(items)).scan_line.digits
    position = data.draw(st.integers(min_value=0, max_value=17))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != victim[position]]))
    misread = victim[:position] + wrong + victim[position + 1 :]
    refused = read_or_refuse(good.replace(victim.encode(), misread.encode(), 1))
    assert refused is not None
    assert any(p.code.startswith("scan_line") for p in refused.problems)


@FUZZ
@given(items=item_lists, data=st.data())
def test_a_valid_file_with_random_bytes_changed_is_read_or_refused(
    items: list[LockboxItem], data: st.DataObject
) -> None:
    good = bytearray(lockbox_write(items))
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        position = data.draw(st.integers(min_value=0, max_value=len(good) - 1))
        good[position] = data.draw(st.integers(min_value=0, max_value=255))
    inserted = data.draw(st.binary(max_size=8))
    at = data.draw(st.integers(min_value=0, max_value=len(good)))
    read_or_refuse(bytes(good[:at]) + inserted + bytes(good[at:]))


@FUZZ
@given(items=item_lists, encoding=st.sampled_from(["utf-16", "utf-16-le", "utf-32", "cp1252"]))
def test_a_file_in_another_encoding_is_refused_when_its_bytes_are_not_utf8(
    items: list[LockboxItem], encoding: str
) -> None:
    text = lockbox_write(items).decode("utf-8")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return  # the name cannot even be written in that encoding
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert read_or_refuse(data) is not None
        return
    # bytes that happen to be UTF-8 too (plain ASCII in cp1252): read, not refused, if valid
    read_or_refuse(data)
