"""Importing the bank's lockbox file: all or nothing, once per file.

Rules (docs/decisions/payments-domain.md "Lockbox CSV layout"; reliability.md I5, I8):
- the file is read whole by ``domain.lockbox_parse``; any problem refuses the whole file
  with every problem listed by line, and nothing is written;
- every scan line must name an existing account, and no item (bank batch id + item sequence
  + deposit date) may have posted before (a re-sent file with a byte changed is a new file,
  but its items are not new payments): otherwise refused the same way;
- the same bytes (sha256) import once: a second import returns the first, posting nothing;
- each bank batch becomes a posted ``PaymentBatch`` (channel lockbox) whose control totals
  are the file's own; each item posts at its deposit date.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.models import Account
from cistern.ledger.bulk_sql import select_in
from cistern.payments.domain import LockboxFile, LockboxItem, LockboxRejected, lockbox_parse
from cistern.payments.domain.lockbox import lockbox_file_id
from cistern.payments.domain.lockbox_layout import LockboxProblem
from cistern.payments.lockbox_posting import LockboxPayment, lockbox_payments_post
from cistern.payments.models import Channel, LockboxImport, Payment, PaymentBatch, Tender

MAX_LOCKBOX_BYTES = 50 * 1024 * 1024
FILE_REFUSED = "The lockbox file was refused ({count} problem{s}); nothing was posted."
FILE_TOO_LARGE = "The file is larger than 50 MB; ask the bank to split it."
UNKNOWN_ACCOUNT = "the scan line names account {number}, which does not exist"
_ACCOUNTS = Account._meta.db_table
_PAYMENTS = Payment._meta.db_table
ALREADY_POSTED = (
    "item {batch}/{sequence} deposited {day} was already posted from another file (P{payment})"
)


class LockboxImportRefused(ServiceError):
    """The whole file was refused; ``problems`` lists every (line number, reason)."""

    def __init__(self, problems: Sequence[LockboxProblem]) -> None:
        count = len(problems)
        super().__init__(_(FILE_REFUSED).format(count=count, s="" if count == 1 else "s"))
        self.problems = tuple(problems)

    def lines(self) -> list[str]:
        return [
            f"line {p.line_number}: {p.reason}" if p.line_number else f"file: {p.reason}"
            for p in self.problems
        ]


@dataclass(frozen=True)
class LockboxOutcome:
    lockbox_import: LockboxImport
    created: bool  # False: this exact file was imported before; nothing new posted


def _item_key(item: LockboxItem) -> str:
    return f"lockbox:{item.batch_id}:{item.item_sequence}:{item.deposit_date.isoformat()}"


def _problems_with_accounts(
    parsed: LockboxFile, item_keys: Sequence[str]
) -> tuple[dict[str, int], list[LockboxProblem]]:
    numbers = sorted({item.scan_line.account_number for item in parsed.items})
    sql = f"SELECT number, id FROM {_ACCOUNTS} WHERE number {{in_}}"
    ids = dict(select_in(sql, numbers, pg_type="text"))
    problems = [
        LockboxProblem(
            item.line_number,
            "unknown_account",
            UNKNOWN_ACCOUNT.format(number=item.scan_line.account_number),
        )
        for item in parsed.items
        if item.scan_line.account_number not in ids
    ]
    keys = dict(zip(item_keys, parsed.items, strict=True))
    posted = select_in(
        f"SELECT idempotency_key, id FROM {_PAYMENTS} WHERE idempotency_key {{in_}}",
        sorted(keys),
        pg_type="text",
    )
    for key, payment_id in posted:
        item = keys[key]
        problems.append(
            LockboxProblem(
                item.line_number,
                "already_posted",
                ALREADY_POSTED.format(
                    batch=item.batch_id,
                    sequence=item.item_sequence,
                    day=item.deposit_date.isoformat(),
                    payment=payment_id,
                ),
            )
        )
    return ids, sorted(problems, key=lambda p: p.line_number)


def lockbox_import(*, data: bytes, filename: str, actor: Any) -> LockboxOutcome:
    """Import a lockbox file, or raise ``LockboxImportRefused`` listing every problem."""
    if len(data) > MAX_LOCKBOX_BYTES:
        raise ServiceError(_(FILE_TOO_LARGE), field="file")
    existing = LockboxImport.objects.filter(file_sha256=lockbox_file_id(data)).first()
    if existing is not None:
        return LockboxOutcome(existing, created=False)
    with _collector_paused():
        try:
            parsed = lockbox_parse(data)
        except LockboxRejected as exc:
            raise LockboxImportRefused(exc.problems) from exc
        try:
            with transaction.atomic():
                return LockboxOutcome(_post_file(parsed, data, filename, actor), created=True)
        except IntegrityError:
            existing = LockboxImport.objects.filter(file_sha256=parsed.file_sha256).first()
            if existing is None:
                raise
            return LockboxOutcome(existing, created=False)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a file is read and posted (back on after,
    as it was). An import builds a few objects per item and keeps them all (items, payments,
    open charges, entries, audit rows: millions for 100,000 items, nearly none in a
    reference cycle), so each full collection walked all of them for nothing, more often and
    for longer the more open charges the accounts had: about a fifth of an import of
    100,000 items after a bill run. Reference counting still frees everything else."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _lock_accounts(account_ids: Iterable[int]) -> None:
    """``locks.accounts_lock`` without building an instance per account: row locks in id
    order (on SQLite a slice at a time, still in order, so a fixed order cannot deadlock)."""
    wanted = sorted(set(account_ids))
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    select_in(
        f"SELECT id FROM {_ACCOUNTS} WHERE id {{in_}} ORDER BY id{lock}", wanted, pg_type="bigint"
    )


def _post_file(parsed: LockboxFile, data: bytes, filename: str, actor: Any) -> LockboxImport:
    item_keys = [_item_key(item) for item in parsed.items]
    account_ids, problems = _problems_with_accounts(parsed, item_keys)
    if problems:
        raise LockboxImportRefused(problems)
    now = timezone.now()
    record = LockboxImport.objects.create(
        file_sha256=parsed.file_sha256, filename=filename[:200], raw=data,
        item_count=parsed.item_count, total_cents=parsed.total_cents,
        imported_by=actor, imported_at=now,
    )  # fmt: skip
    _lock_accounts(account_ids.values())
    first_day: dict[str, date] = {}
    for item in parsed.items:
        first_day.setdefault(item.batch_id, item.deposit_date)
    batch_ids = {}
    for batch_id, (count, cents) in parsed.batch_totals().items():
        batch_ids[batch_id] = PaymentBatch.objects.create(
            channel=Channel.LOCKBOX, business_date=first_day[batch_id], control_count=count,
            control_amount_cents=cents, external_id=batch_id, lockbox_import=record,
            opened_by=actor, opened_at=now, status=PaymentBatch.Status.POSTED,
            posted_by=actor, posted_at=now,
        ).pk  # fmt: skip
    check, money_order = Tender.CHECK.value, Tender.MONEY_ORDER.value
    payments = [
        LockboxPayment(
            batch_ids[item.batch_id], account_ids[item.scan_line.account_number],
            item.amount_paid_cents, check if item.check_number else money_order,
            item.deposit_date, item.payer_name[:120], item.check_number, key,
        )
        for item, key in zip(parsed.items, item_keys, strict=True)
    ]  # fmt: skip
    lockbox_payments_post(payments=payments, source_ref=f"LB{record.pk}", actor=actor, now=now)
    audit_record(
        actor=actor,
        action="payments.lockbox.import",
        subject=record,
        after={"file_sha256": record.file_sha256, "items": record.item_count,
               "total_cents": record.total_cents, "filename": record.filename},
    )  # fmt: skip
    return record
