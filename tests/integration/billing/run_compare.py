"""What the distributed and the several-process bill-run tests share: identical cycles to
bill two ways, and the bills and receivables to compare between them."""

from __future__ import annotations

from datetime import date

from django.db.models import Sum

from cistern.billing.lines import LINE_FIELDS
from cistern.billing.models import BillRun
from cistern.billing.services import bill_run_create
from cistern.ledger.models import Posting
from tests.integration.billing import makers


def cycle_with_run(code: str, clerk, accounts: int) -> BillRun:
    """``accounts`` accounts read the same, account for account, in every cycle built."""
    cycle = makers.cycle(code)
    for n in range(accounts):
        makers.read(makers.account(billing_cycle=cycle), date(2025, 1, 31), 2 + n % 19)
    return bill_run_create(
        cycle=cycle, period_start=date(2025, 1, 1), period_end=date(2025, 1, 31),
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip


def run_bills(run: BillRun) -> list[tuple]:
    """Each bill (in account order) with its lines, everything but ids and the account."""
    bills = run.bills.order_by("account_id").prefetch_related("lines")
    return [
        (
            b.status,
            b.total_cents,
            b.usage,
            b.usage_unit,
            b.estimated,
            [tuple(getattr(line, f) for f in LINE_FIELDS) for line in b.lines.all()],
        )
        for b in bills
    ]


def run_receivable(run: BillRun) -> int:
    entries = run.bills.values("journal_entry")
    return Posting.objects.filter(entry__in=entries, customer_account__isnull=False).aggregate(
        s=Sum("amount_cents")
    )["s"]
