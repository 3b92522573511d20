"""Reading a lockbox file line by line, collecting every problem instead of stopping.

Rule (docs/decisions/payments-domain.md, "Lockbox CSV layout"): each physical line is
decoded as UTF-8 on its own (so every badly encoded line is named), split as one CSV
record, and checked field by field. Duplicates are an item's (batch_id, item_sequence)
seen before, or the same check — account, check number and amount — seen before. The
trailer's count and total are compared with the items; the total only when every amount
could be read, so one bad amount is not reported twice.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cistern.payments.domain.lockbox_fields import (
    FieldError,
    has_control_characters,
    read_amount,
    read_batch_id,
    read_check_number,
    read_count,
    read_date,
    read_item_amount,
    read_item_sequence,
    read_payer_name_of_clean_line,
    shown,
)
from cistern.payments.domain.lockbox_layout import (
    HEADER,
    TRAILER_FIELDS,
    TRAILER_TAG,
    WHOLE_FILE,
    LockboxItem,
    LockboxProblem,
)
from cistern.payments.domain.scan_line import ScanLine, ScanLineError, scan_line_parse

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
MAX_TRAILER_TOTAL_CENTS = 10**15 - 1

MSG_EMPTY = "The file is empty; ask the bank to send it again."
MSG_UTF16 = "The file is UTF-16 text; it must be UTF-8. Ask the bank to send it as UTF-8."
MSG_NOT_UTF8 = "Byte 0x{byte:02X} at column {column} is not UTF-8 text; the file must be UTF-8."
MSG_CONTROL = "The line contains control characters (such as NUL or a stray carriage return)."
MSG_BAD_QUOTING = "The line is not valid CSV ({detail}); check its quotes."
MSG_BLANK = "Blank line inside the file; a file has no blank lines before its trailer."
MSG_BAD_HEADER = "The first line must be the header: " + ",".join(HEADER) + "."
MSG_NO_TRAILER = (
    "The file ends without a TRAILER line; it may be truncated. Ask the bank to send it again."
)
MSG_EARLY_TRAILER = "A TRAILER line before the end of the file; only the last line is a trailer."
MSG_NO_ITEMS = "The file has no payments."
MSG_COLUMNS = (
    "The line has {found} column(s); a payment line has {expected} (" + ",".join(HEADER) + ")."
)
MSG_TRUNCATED = MSG_COLUMNS + " It may be truncated."
MSG_TRAILER_COLUMNS = "The trailer must be TRAILER,item_count,total_amount (e.g. TRAILER,3,370.35)."
MSG_COUNT_MISMATCH = "The trailer says {declared} items but the file has {found}."
MSG_TOTAL_MISMATCH = "The trailer total {declared} does not match the items' total {found}."
MSG_DUPLICATE_ITEM = "Duplicate item: batch {batch} item {sequence} is also on line {other}."
MSG_DUPLICATE_CHECK = (
    "Duplicate check: check {check} for {amount} to account {account} is also on line {other}."
)
SCAN_LINE_REASONS = {
    "empty": "scan_line is empty.",
    "not_digits": "scan_line {value} must be 18 digits.",
    "wrong_length": "scan_line {value} must be 18 digits.",
    "bad_check_digit": "scan_line {value} fails its check digit (misread or mistyped stub).",
    "bad_account": "scan_line {value} names an account number that is not valid.",
}


def _dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


@dataclass
class _Reading:
    """What has been read so far. Internal, mutable, lives for one `read_lockbox` call."""

    problems: list[LockboxProblem] = field(default_factory=list)
    items: list[LockboxItem] = field(default_factory=list)
    item_lines: int = 0  # payment lines, readable or not: what the trailer count counts
    amounts_complete: bool = True  # every payment line's amount was read
    total_cents: int = 0
    seen_items: dict[tuple[str, int], int] = field(default_factory=dict)
    seen_checks: dict[tuple[str, str, int], int] = field(default_factory=dict)

    def refuse(self, line_number: int, code: str, reason: str) -> None:
        self.problems.append(LockboxProblem(line_number, code, reason))


def read_lockbox(data: bytes) -> tuple[list[LockboxItem], list[LockboxProblem]]:
    """Every item of the file and every problem in it; the caller refuses if any problem."""
    reading = _Reading()
    if data.startswith(UTF16_BOMS):
        reading.refuse(WHOLE_FILE, "utf16", MSG_UTF16)
        return [], reading.problems
    lines = _decoded_lines(data, reading)
    while lines and lines[-1][1] is not None and not lines[-1][1].strip():
        lines.pop()  # a file may end with newlines
    if not lines:
        reading.refuse(WHOLE_FILE, "empty", MSG_EMPTY)
        return [], reading.problems
    _read_header(lines[0], reading)
    body = lines[1:]
    trailer, early_trailers = _split_trailer(body, reading)
    for line_number, text in body:
        if line_number not in early_trailers:  # those are reported by _split_trailer
            _read_body_line(line_number, text, reading)
    if trailer is not None:
        _check_trailer(trailer, reading)
    return reading.items, sorted(reading.problems, key=lambda p: p.line_number)


def _decoded_lines(data: bytes, reading: _Reading) -> list[tuple[int, str | None]]:
    """Physical lines as text; ``None`` for a line that is not UTF-8 (already reported)."""
    lines: list[tuple[int, str | None]] = []
    for line_number, raw in enumerate(data.split(b"\n"), start=1):
        if line_number == 1 and raw.startswith(UTF8_BOM):
            raw = raw[len(UTF8_BOM) :]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            lines.append((line_number, raw.decode("utf-8")))
        except UnicodeDecodeError as exc:
            reason = MSG_NOT_UTF8.format(byte=raw[exc.start], column=exc.start + 1)
            reading.refuse(line_number, "not_utf8", reason)
            lines.append((line_number, None))
    return lines


def _fields(line_number: int, text: str, reading: _Reading) -> list[str] | None:
    """One line as stripped CSV fields, or ``None`` (reported) if it cannot be split.

    The line is scanned for control characters here, once; its fields are then known to
    hold none. A line without quotes is split on its commas, which is what the CSV reader
    makes of it (quotes are the only thing it interprets, once control characters are
    refused), at a fraction of the cost.
    """
    if has_control_characters(text):
        reading.refuse(line_number, "control_characters", MSG_CONTROL)
        return None
    if text and '"' not in text:
        return [value.strip() for value in text.split(",")]
    try:
        record = next(csv.reader([text], strict=True), [])
    except csv.Error as exc:
        reading.refuse(line_number, "bad_csv", MSG_BAD_QUOTING.format(detail=exc))
        return None
    return [value.strip() for value in record]


def _read_header(line: tuple[int, str | None], reading: _Reading) -> None:
    line_number, text = line
    if text is None:
        return
    fields = _fields(line_number, text, reading)
    if fields is not None and tuple(f.lower() for f in fields) != HEADER:
        reading.refuse(line_number, "bad_header", MSG_BAD_HEADER)


def _is_trailer(text: str | None) -> bool:
    """A line whose first field is TRAILER (quoted or not, any case)."""
    if text is None:
        return False
    first = text.split(",", 1)[0].strip().strip('"').strip()
    return first.upper() == TRAILER_TAG


def _split_trailer(
    body: list[tuple[int, str | None]], reading: _Reading
) -> tuple[tuple[int, str] | None, set[int]]:
    """Take the trailer off the end of ``body``; report it missing or misplaced. Returns
    the trailer and the line numbers of misplaced trailers (skipped as payment lines)."""
    trailer: tuple[int, str] | None = None
    last_number, last_text = body[-1] if body else (0, None)
    if last_text is not None and _is_trailer(last_text):
        trailer = (last_number, last_text)
        body.pop()
    else:
        reading.refuse(WHOLE_FILE, "no_trailer", MSG_NO_TRAILER)
    early: set[int] = set()
    for line_number, text in body:
        if _is_trailer(text):
            reading.refuse(line_number, "early_trailer", MSG_EARLY_TRAILER)
            early.add(line_number)
    if trailer is not None and not body:
        reading.refuse(WHOLE_FILE, "no_items", MSG_NO_ITEMS)
    return trailer, early


def _read_body_line(line_number: int, text: str | None, reading: _Reading) -> None:
    if text is not None and not text.strip():
        reading.refuse(line_number, "blank_line", MSG_BLANK)
        return
    reading.item_lines += 1
    fields = None if text is None else _fields(line_number, text, reading)
    if fields is None:
        reading.amounts_complete = False
        return
    if len(fields) != len(HEADER):
        message = MSG_TRUNCATED if len(fields) < len(HEADER) else MSG_COLUMNS
        reading.refuse(
            line_number, "wrong_columns", message.format(found=len(fields), expected=len(HEADER))
        )
        reading.amounts_complete = False
        return
    _read_item(line_number, fields, reading)


def _read_scan_line(value: str) -> Any:
    try:
        return scan_line_parse(value)
    except ScanLineError as exc:
        reason = SCAN_LINE_REASONS.get(exc.code, exc.message).format(value=shown(value))
        raise FieldError(f"scan_line_{exc.code}", reason) from exc


def _deposit_date(value: str) -> Any:
    return read_date(value, column="deposit_date")


READERS: tuple[Callable[[str], Any], ...] = (
    read_batch_id,
    read_item_sequence,
    _read_scan_line,
    read_item_amount,
    read_check_number,
    read_payer_name_of_clean_line,  # its line was scanned for control characters already
    _deposit_date,
)


def _read_item(line_number: int, fields: list[str], reading: _Reading) -> None:
    """Read one payment line. Every field is read in turn; the first refusal sends the line
    down ``_read_item_fields``, which reads them all again to report every problem."""
    try:
        batch_id = read_batch_id(fields[0])
        sequence = read_item_sequence(fields[1])
        scan_line = _read_scan_line(fields[2])
        amount = read_item_amount(fields[3])
        check_number = read_check_number(fields[4])
        payer_name = read_payer_name_of_clean_line(fields[5])
        deposit_date = _deposit_date(fields[6])
    except FieldError:
        _read_item_fields(line_number, fields, reading)
        return
    reading.total_cents += amount
    if _is_duplicate(line_number, batch_id, sequence, scan_line, amount, check_number, reading):
        return
    reading.items.append(
        LockboxItem(
            batch_id, sequence, scan_line, amount, check_number, payer_name, deposit_date,
            line_number,
        )
    )  # fmt: skip


def _read_item_fields(line_number: int, fields: list[str], reading: _Reading) -> None:
    """A line with a bad field: report every bad field, and its duplicate keys if read."""
    values: dict[str, Any] = {}
    for column, reader, value in zip(HEADER, READERS, fields, strict=True):
        try:
            values[column] = reader(value)
        except FieldError as exc:
            reading.refuse(line_number, exc.code, exc.reason)
    if "amount_paid" in values:
        reading.total_cents += values["amount_paid"]
    else:
        reading.amounts_complete = False
    get = values.get
    _is_duplicate(
        line_number, get("batch_id"), get("item_sequence"), get("scan_line"),
        get("amount_paid"), get("check_number"), reading,
    )  # fmt: skip


def _is_duplicate(
    line: int,
    batch_id: str | None,
    sequence: int | None,
    scan_line: ScanLine | None,
    amount: int | None,
    check_number: str | None,
    reading: _Reading,
) -> bool:
    """Record the line's keys, as far as they could be read (None: not read); report a
    duplicate."""
    duplicate = False
    if batch_id is not None and sequence is not None:
        key = (batch_id, sequence)
        other_line = reading.seen_items.setdefault(key, line)
        if other_line != line:
            reason = MSG_DUPLICATE_ITEM.format(batch=key[0], sequence=key[1], other=other_line)
            reading.refuse(line, "duplicate_item", reason)
            duplicate = True
    if check_number and scan_line is not None and amount is not None:
        account = scan_line.account_number
        check_key = (account, check_number, amount)
        other_line = reading.seen_checks.setdefault(check_key, line)
        if other_line != line:
            reason = MSG_DUPLICATE_CHECK.format(
                check=check_number, amount=_dollars(amount), account=account, other=other_line
            )
            reading.refuse(line, "duplicate_check", reason)
            duplicate = True
    return duplicate


def _check_trailer(trailer: tuple[int, str], reading: _Reading) -> None:
    line_number, text = trailer
    fields = _fields(line_number, text, reading)
    if fields is None:
        return
    while len(fields) > TRAILER_FIELDS and not fields[-1]:
        fields.pop()  # spreadsheets pad short rows with empty columns
    if len(fields) != TRAILER_FIELDS or fields[0].upper() != TRAILER_TAG:
        reading.refuse(line_number, "bad_trailer", MSG_TRAILER_COLUMNS)
        return
    try:
        declared_count = read_count(fields[1], column="item_count")
        declared_total = read_amount(
            fields[2], column="total_amount", max_cents=MAX_TRAILER_TOTAL_CENTS
        )
    except FieldError as exc:
        reading.refuse(line_number, exc.code, exc.reason)
        return
    if declared_count != reading.item_lines:
        reason = MSG_COUNT_MISMATCH.format(declared=declared_count, found=reading.item_lines)
        reading.refuse(line_number, "count_mismatch", reason)
    if reading.amounts_complete and declared_total != reading.total_cents:
        reason = MSG_TOTAL_MISMATCH.format(
            declared=_dollars(declared_total), found=_dollars(reading.total_cents)
        )
        reading.refuse(line_number, "total_mismatch", reason)
