"""Importing the bank's BAI2 prior-day file (Finance): whole or not at all, once per file.

Rules (docs/user-guide/finance-day-close.md "Bank reconciliation"):
- ``bai2_reader.bai2_read`` parses the file and checks every control total; a file that
  fails is refused whole with the reason, and nothing is written;
- the same bytes (sha256) import once: a second import returns the first;
- each credit (16 record with a credit type code) is kept in file order. Importing posts
  nothing to the ledger: the file is evidence for reconciliation, matched when shown.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.payments.bank.bai2_reader import Bai2Refused, Bai2Statement, bai2_read
from cistern.payments.models import BankCredit, BankStatementImport

MAX_BAI2_BYTES = 20 * 1024 * 1024
FILE_REFUSED = "The bank file was refused; nothing was imported. {reason}"
FILE_TOO_LARGE = "The file is larger than 20 MB; ask the bank to split it."
NO_CREDITS_NOR_ACCOUNTS = "The file reports no account; ask the bank for the prior-day file."


class BankFileRefused(ServiceError):
    def __init__(self, reason: str) -> None:
        super().__init__(_(FILE_REFUSED).format(reason=reason), field="file")
        self.reason = reason


@dataclass(frozen=True)
class BankImportOutcome:
    statement: BankStatementImport
    created: bool  # False: this exact file was imported before; nothing new was written


def _read(data: bytes) -> Bai2Statement:
    if len(data) > MAX_BAI2_BYTES:
        raise BankFileRefused(FILE_TOO_LARGE)
    try:
        statement = bai2_read(data)
    except Bai2Refused as refused:
        raise BankFileRefused(refused.message) from refused
    if not statement.bank_accounts:
        raise BankFileRefused(NO_CREDITS_NOR_ACCOUNTS)
    return statement


def _store(data: bytes, sha: str, filename: str, parsed: Bai2Statement, actor: Any):
    row = BankStatementImport.objects.create(
        file_sha256=sha,
        filename=filename[:200],
        raw=data,
        sender_id=parsed.sender_id[:40],
        file_id=parsed.file_id[:40],
        creation_date=parsed.creation_date,
        first_as_of=parsed.as_of_dates[0],
        last_as_of=parsed.as_of_dates[-1],
        credit_count=len(parsed.credits),
        credit_total_cents=sum(c.amount_cents for c in parsed.credits),
        imported_by=actor,
        imported_at=timezone.now(),
    )
    BankCredit.objects.bulk_create(
        BankCredit(
            statement=row,
            sequence=n,
            bank_account=c.bank_account[:40],
            as_of_date=c.as_of_date,
            type_code=c.type_code,
            type_description=c.type_description[:80],
            amount_cents=c.amount_cents,
            bank_reference=c.bank_reference[:80],
            customer_reference=c.customer_reference[:80],
            text=c.text[:300],
        )
        for n, c in enumerate(parsed.credits, start=1)
    )
    return row


def bank_statement_import(*, data: bytes, filename: str = "", actor: Any) -> BankImportOutcome:
    """Import a BAI2 prior-day file, or raise ``BankFileRefused`` having written nothing."""
    sha = hashlib.sha256(data).hexdigest()
    existing = BankStatementImport.objects.filter(file_sha256=sha).first()
    if existing is not None:
        return BankImportOutcome(existing, False)
    parsed = _read(data)
    try:
        with transaction.atomic():
            row = _store(data, sha, filename, parsed, actor)
            audit_record(
                actor=actor,
                action="bank.statement.import",
                subject=row,
                after={
                    "file_sha256": sha,
                    "credit_count": row.credit_count,
                    "credit_total_cents": row.credit_total_cents,
                },
            )
    except IntegrityError:  # the same file, imported concurrently, committed first
        return BankImportOutcome(BankStatementImport.objects.get(file_sha256=sha), False)
    return BankImportOutcome(row, True)
