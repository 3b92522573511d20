"""The lockbox CSV layout's columns and records, shared by the reader and the writer.

Rule (docs/decisions/payments-domain.md, "Lockbox CSV layout"): the header names these
columns in this order; the trailer's first field is ``TRAILER``, then the item count and
the total amount paid. A problem is reported against its 1-based line (0 = whole file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cistern.payments.domain.scan_line import ScanLine

HEADER = (
    "batch_id",
    "item_sequence",
    "scan_line",
    "amount_paid",
    "check_number",
    "payer_name",
    "deposit_date",
)
TRAILER_TAG = "TRAILER"
TRAILER_FIELDS = 3  # TRAILER, item_count, total_amount
WHOLE_FILE = 0  # the line number of a problem with the file as a whole


@dataclass(frozen=True)
class LockboxItem:
    """One payment in a lockbox file. Amounts in cents."""

    batch_id: str
    item_sequence: int  # unique within its batch
    scan_line: ScanLine
    amount_paid_cents: int  # what the bank deposited; may differ from the stub's amount due
    check_number: str  # "" when the item was not a check
    payer_name: str
    deposit_date: date
    line_number: int = field(default=0, compare=False)  # 0 when not read from a file


@dataclass(frozen=True)
class LockboxProblem:
    """Why a file was refused: where, a stable ``code``, and a reason a person can act on."""

    line_number: int
    code: str
    reason: str
