"""Meter-read files: the canonical CSV, an AMI head-end export, and handheld route files.

Every parser is all-or-nothing: it returns every read of a good file, or raises
``ReadFileRejected`` listing every bad line with its reason, so nothing partial is imported.
The layouts are documented in docs/user-guide/billing/read-files.md.

Canonical layout (UTF-8 CSV, header row required, columns in any order):
    meter_serial, read_at, reading, read_type, trouble_code, note
``read_at`` is ISO 8601 (``2026-11-02T08:15`` local time, or with an offset); ``reading``
is the raw register value (digits only); ``read_type`` is actual, ami, customer or reread
(default actual); ``trouble_code`` and ``note`` are optional.

AMI layout (the common head-end export; fixed headings):
    Endpoint ID, Read Date (YYYY-MM-DD), Read Time (HH:MM[:SS]), Register Value, Unit, Flags

Handheld route file: the export Cistern writes for a route (``route_sheet_rows`` are its
rows: route, sequence, meter serial, address, dials, previous read, low/high expected) and the
same file coming back with ``reading``, ``read_at`` and ``trouble_code`` filled in.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

READ_TYPES = ("actual", "ami", "customer", "reread")
MAX_FILE_BYTES = 20 * 1024 * 1024
CANONICAL_REQUIRED = ("meter_serial", "read_at", "reading")
CANONICAL_COLUMNS = (*CANONICAL_REQUIRED, "read_type", "trouble_code", "note")
AMI_COLUMNS = ("Endpoint ID", "Read Date", "Read Time", "Register Value", "Unit", "Flags")
HANDHELD_COLUMNS = (
    "route", "sequence", "meter_serial", "address", "dials", "previous_read",
    "low", "high", "reading", "read_at", "trouble_code",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ParsedRead:
    line: int
    meter_key: str  # a meter serial, or an AMI endpoint id (see ``keyed_by``)
    read_at: datetime  # aware
    raw_value: int
    read_type: str
    trouble_code: str = ""
    note: str = ""
    unit: str = ""


@dataclass(frozen=True, slots=True)
class ParsedFile:
    layout: str  # canonical | ami | handheld
    keyed_by: str  # serial | endpoint
    sha256: str
    reads: tuple[ParsedRead, ...]


class ReadFileRejected(ValueError):
    """The whole file is refused; ``errors`` lists (line number, reason) for every problem."""

    def __init__(self, errors: Sequence[tuple[int, str]]) -> None:
        self.errors = list(errors)
        first = "; ".join(f"line {n}: {why}" for n, why in self.errors[:3])
        more = f" (and {len(self.errors) - 3} more)" if len(self.errors) > 3 else ""
        super().__init__(f"File refused, nothing imported: {first}{more}")


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_canonical(data: bytes, *, zone: tzinfo) -> ParsedFile:
    rows = _rows(data, required=CANONICAL_REQUIRED, allowed=CANONICAL_COLUMNS)
    reads, errors = [], []
    for line, row in rows:
        if "__error__" in row:
            errors.append((line, row["__error__"]))
            continue
        try:
            read_type = (row.get("read_type") or "actual").strip().lower()
            if read_type not in READ_TYPES:
                raise ValueError(f"read_type must be one of {', '.join(READ_TYPES)}")
            reads.append(
                ParsedRead(
                    line=line,
                    meter_key=_required(row, "meter_serial"),
                    read_at=_datetime(_required(row, "read_at"), zone),
                    raw_value=_register(row.get("reading", "")),
                    read_type=read_type,
                    trouble_code=(row.get("trouble_code") or "").strip(),
                    note=(row.get("note") or "").strip(),
                )
            )
        except ValueError as exc:
            errors.append((line, str(exc)))
    return _finish("canonical", "serial", data, reads, errors)


def parse_ami(data: bytes, *, zone: tzinfo) -> ParsedFile:
    rows = _rows(data, required=AMI_COLUMNS, allowed=AMI_COLUMNS)
    reads, errors = [], []
    for line, row in rows:
        if "__error__" in row:
            errors.append((line, row["__error__"]))
            continue
        try:
            stamp = f"{_required(row, 'Read Date')}T{_required(row, 'Read Time')}"
            reads.append(
                ParsedRead(
                    line=line,
                    meter_key=_required(row, "Endpoint ID"),
                    read_at=_datetime(stamp, zone),
                    raw_value=_register(row["Register Value"]),
                    read_type="ami",
                    trouble_code=(row.get("Flags") or "").strip(),
                    unit=_required(row, "Unit").lower(),
                )
            )
        except ValueError as exc:
            errors.append((line, str(exc)))
    return _finish("ami", "endpoint", data, reads, errors)


def parse_handheld(data: bytes, *, zone: tzinfo) -> ParsedFile:
    """A route file back from the handheld: rows with no reading and no trouble code are errors."""
    rows = _rows(data, required=HANDHELD_COLUMNS, allowed=HANDHELD_COLUMNS)
    reads, errors = [], []
    for line, row in rows:
        if "__error__" in row:
            errors.append((line, row["__error__"]))
            continue
        try:
            reading = (row.get("reading") or "").strip()
            trouble = (row.get("trouble_code") or "").strip()
            if not reading:
                if not trouble:
                    raise ValueError("no reading and no trouble code (skip reason)")
                continue  # a skipped meter: no read, the trouble code explains why
            reads.append(
                ParsedRead(
                    line=line,
                    meter_key=_required(row, "meter_serial"),
                    read_at=_datetime(_required(row, "read_at"), zone),
                    raw_value=_register(reading),
                    read_type="actual",
                    trouble_code=trouble,
                )
            )
        except ValueError as exc:
            errors.append((line, str(exc)))
    return _finish("handheld", "serial", data, reads, errors)


def route_sheet_csv(rows: Iterable[Sequence[object]]) -> str:
    """Write a handheld route file: the header and one row per meter in read sequence."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HANDHELD_COLUMNS)
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def _rows(
    data: bytes, *, required: Sequence[str], allowed: Sequence[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    if not data.strip():
        raise ReadFileRejected([(1, "the file is empty")])
    if len(data) > MAX_FILE_BYTES:
        raise ReadFileRejected([(1, f"the file is larger than {MAX_FILE_BYTES // 1_048_576} MB")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadFileRejected([(1, f"not UTF-8 text (byte {exc.start})")]) from exc
    if "\x00" in text:
        raise ReadFileRejected([(1, "the file contains NUL bytes: not a CSV text file")])
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in allowed]
    if missing or unknown or len(set(header)) != len(header):
        problems = []
        if missing:
            problems.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown column(s) {', '.join(unknown)}")
        if len(set(header)) != len(header):
            problems.append("a column appears twice")
        raise ReadFileRejected([(1, "; ".join(problems))])
    return _data_rows(reader, header)


def _data_rows(
    reader: Iterator[list[str]], header: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    while True:
        index = getattr(reader, "line_num", 0) + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield index, {"__error__": f"not valid CSV ({exc})"}
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            yield index, {"__error__": f"{len(cells)} columns, expected {len(header)}"}
            continue
        yield index, dict(zip(header, cells, strict=True))


def _finish(
    layout: str, keyed_by: str, data: bytes, reads: list[ParsedRead], errors: list[tuple[int, str]]
) -> ParsedFile:
    seen: dict[tuple[str, datetime], int] = {}
    for read in reads:
        key = (read.meter_key, read.read_at)
        if key in seen:
            errors.append((read.line, f"duplicate of line {seen[key]} (same meter and time)"))
        seen.setdefault(key, read.line)
    if not reads and not errors:
        errors.append((1, "the file has a header but no reads"))
    if errors:
        raise ReadFileRejected(sorted(errors))
    return ParsedFile(layout, keyed_by, file_sha256(data), tuple(reads))


def _required(row: dict[str, str], column: str) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise ValueError(f"{column} is empty")
    return value


def _register(text: str) -> int:
    value = text.strip()
    if not value.isdigit() or not value.isascii():
        raise ValueError(f"reading {text!r} is not a whole register value (digits only)")
    return int(value)


def _datetime(text: str, zone: tzinfo) -> datetime:
    try:
        stamp = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date and time (use 2026-11-02T08:15)") from exc
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=zone)
