"""The bank's lockbox file: a documented CSV layout, read all-or-nothing.

Rule (docs/decisions/payments-domain.md, "Lockbox CSV layout"): UTF-8 text, one record a
line, comma-separated with optional double quotes (RFC 4180, but no line breaks inside a
field). Line 1 is the header naming the columns, then one line per payment, then a trailer:

    batch_id,item_sequence,scan_line,amount_paid,check_number,payer_name,deposit_date
    LB0314,1,100000180000123456,123.45,1042,"Doe, Jane",2025-03-14
    TRAILER,1,123.45

A file posts whole or not at all: `lockbox_parse` either returns every item or raises
`LockboxRejected` listing *every* problem with its line number (0 = the file as a whole).
The file's identity is the sha256 of its bytes, so the same file imported twice posts once.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from cistern.payments.domain.lockbox_fields import (
    MAX_PAYER_NAME,
    FieldError,
    has_control_characters,
    read_batch_id,
)
from cistern.payments.domain.lockbox_layout import (
    HEADER,
    TRAILER_TAG,
    LockboxItem,
    LockboxProblem,
)
from cistern.payments.domain.lockbox_reader import read_lockbox

__all__ = [
    "LockboxFile",
    "LockboxItem",
    "LockboxProblem",
    "LockboxRejected",
    "lockbox_file_id",
    "lockbox_parse",
    "lockbox_write",
]

MSG_REJECTED = "The lockbox file was refused ({count} problem{s}); nothing was posted."


@dataclass(frozen=True)
class LockboxFile:
    """A lockbox file that passed every check; ``file_sha256`` identifies it."""

    file_sha256: str
    items: tuple[LockboxItem, ...]

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def total_cents(self) -> int:
        return sum(item.amount_paid_cents for item in self.items)

    def batch_totals(self) -> dict[str, tuple[int, int]]:
        """Per batch id: (item count, total cents), in file order."""
        totals: dict[str, tuple[int, int]] = {}
        for item in self.items:
            count, cents = totals.get(item.batch_id, (0, 0))
            totals[item.batch_id] = (count + 1, cents + item.amount_paid_cents)
        return totals


class LockboxRejected(ValueError):
    """The whole file is refused; ``problems`` lists every (line number, reason)."""

    def __init__(self, file_sha256: str, problems: Sequence[LockboxProblem]) -> None:
        count = len(problems)
        super().__init__(MSG_REJECTED.format(count=count, s="" if count == 1 else "s"))
        self.file_sha256 = file_sha256
        self.problems = tuple(problems)

    @property
    def message(self) -> str:
        return str(self)

    def lines(self) -> list[str]:
        """``"line 4: ..."`` per problem, for a screen or an e-mail to the bank."""
        return [
            f"line {p.line_number}: {p.reason}" if p.line_number else f"file: {p.reason}"
            for p in self.problems
        ]


def lockbox_file_id(data: bytes) -> str:
    """The file's identity: the sha256 of its exact bytes, as 64 hex digits."""
    return hashlib.sha256(data).hexdigest()


def lockbox_parse(data: bytes) -> LockboxFile:
    """Read a lockbox file whole, or raise `LockboxRejected` with every problem found."""
    file_id = lockbox_file_id(data)
    items, problems = read_lockbox(data)
    if problems:
        raise LockboxRejected(file_id, problems)
    return LockboxFile(file_sha256=file_id, items=tuple(items))


def _check_writable(item: LockboxItem) -> None:
    """Refuse what the layout cannot carry, so the writer never makes an unreadable file."""
    name = item.payer_name
    if name != name.strip() or has_control_characters(name) or len(name) > MAX_PAYER_NAME:
        raise ValueError(f"payer name {name!r} cannot be written to a lockbox file")
    try:
        read_batch_id(item.batch_id)
    except FieldError as exc:
        raise ValueError(exc.reason) from exc


def _dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def lockbox_write(items: Sequence[LockboxItem]) -> bytes:
    """The lockbox file for ``items`` in the documented layout (UTF-8, LF line ends).

    ``lockbox_parse(lockbox_write(items)).items == tuple(items)`` for items the layout
    allows; used by tests, the demo and the sandbox bank.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for item in items:
        _check_writable(item)
        writer.writerow(
            [
                item.batch_id,
                item.item_sequence,
                item.scan_line.digits,
                _dollars(item.amount_paid_cents),
                item.check_number,
                item.payer_name,
                item.deposit_date.isoformat(),
            ]
        )
    total = sum(item.amount_paid_cents for item in items)
    writer.writerow([TRAILER_TAG, len(items), _dollars(total)])
    return out.getvalue().encode("utf-8")
