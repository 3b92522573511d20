"""Helpers for the bill-document tests: a cycle with two posted months, a payment and a fee.

Not a test module itself (no tests), named ``test_documents_*`` to sit with them.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

from cistern.billing.models import BillRun
from cistern.billing.services import (
    bill_run_calculate,
    bill_run_create,
    bill_run_post,
    bill_run_review,
    exception_release,
)
from cistern.core.domain.check_digit import with_check_digit
from cistern.customers.models import AccountFlag, CustomerEmail
from cistern.ledger import codes
from cistern.ledger.domain.entries import Leg
from cistern.ledger.services import journal_entry_post
from tests.integration.billing import makers

DEC_1, DEC_31 = date(2024, 12, 1), date(2024, 12, 31)
JAN_1, JAN_31 = date(2025, 1, 1), date(2025, 1, 31)
_numbers = iter(range(2_000_000, 3_000_000))


def scannable_account(cycle, **kwargs):
    """A makers account renumbered to a real (Luhn-checked, 8-digit) account number."""
    acct = makers.account(billing_cycle=cycle, **kwargs)
    acct.number = with_check_digit(str(next(_numbers)))
    acct.save(update_fields=["number"])
    return acct


def posted_run(clerk, start: date, end: date, bill_date: date, due_date: date) -> BillRun:
    run = bill_run_create(
        cycle=makers.cycle(), period_start=start, period_end=end,
        bill_date=bill_date, due_date=due_date, actor=clerk,
    )  # fmt: skip
    run = bill_run_calculate(run=run, actor=clerk)
    for exception in run.exceptions.filter(resolution="open"):
        exception_release(exception=exception, reason="checked", actor=clerk)
    run = bill_run_review(run=run, actor=clerk)
    return bill_run_post(run=run, actor=clerk)


def pay(acct, cents: int, on: date, clerk) -> None:
    journal_entry_post(
        idempotency_key=f"test-pay:{acct.pk}:{on}:{cents}", effective_date=on,
        source="payment", source_ref="T1", memo="test payment", actor=clerk,
        legs=[Leg(codes.CASH_CLEARING, cents), Leg(codes.AR_WATER, -cents, acct.pk, "water")],
    )  # fmt: skip


def fee(acct, cents: int, on: date, clerk) -> None:
    journal_entry_post(
        idempotency_key=f"test-fee:{acct.pk}:{on}:{cents}", effective_date=on,
        source="fee", source_ref="F1", memo="late fee", actor=clerk,
        legs=[Leg(codes.AR_FEES, cents, acct.pk, "late_fee"), Leg(codes.FEE_LATE, -cents)],
    )  # fmt: skip


def two_months(clerk, count: int = 3, *, paperless: int = 0, spanish: int = 0):
    """``count`` accounts billed for December and January; returns (accounts, january run).

    The first ``paperless`` accounts are paperless (with a primary e-mail); the next
    ``spanish`` prefer Spanish. The first account paid $30.00 and got a $5.00 fee in between.
    """
    cycle = makers.cycle()
    accounts = [scannable_account(cycle) for _ in range(count)]
    for n, acct in enumerate(accounts):
        makers.read(acct, DEC_31, 8 + n % 5, raw=100 + n)
        makers.read(acct, JAN_31, 12 + n % 7, raw=120 + 2 * n)
        if n < paperless:
            AccountFlag.objects.create(account=acct, kind="paperless", set_on=DEC_1)
            CustomerEmail.objects.create(
                customer=acct.customer, address=f"pat{n}@example.org", is_primary=True
            )
        elif n < paperless + spanish:
            acct.customer.preferred_language = "es"
            acct.customer.save(update_fields=["preferred_language"])
    posted_run(clerk, DEC_1, DEC_31, date(2025, 1, 3), date(2025, 1, 24))
    pay(accounts[0], 3000, date(2025, 1, 10), clerk)
    fee(accounts[0], 500, date(2025, 1, 26), clerk)
    january = posted_run(clerk, JAN_1, JAN_31, date(2025, 2, 3), date(2025, 2, 24))
    return accounts, january


def pdf_text(data: bytes, tmp_path) -> str:
    """The text of a PDF, with ``pdftotext -layout`` (poppler-utils)."""
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is needed: apt-get install -y poppler-utils"
    path = tmp_path / "bill.pdf"
    path.write_bytes(data)
    done = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode()


def pdf_pages(data: bytes, tmp_path) -> int:
    tool = shutil.which("pdfinfo")
    assert tool, "pdfinfo is needed: apt-get install -y poppler-utils"
    path = tmp_path / "count.pdf"
    path.write_bytes(data)
    done = subprocess.run([tool, str(path)], capture_output=True, check=True, text=True)
    line = next(row for row in done.stdout.splitlines() if row.startswith("Pages:"))
    return int(line.split()[1])
