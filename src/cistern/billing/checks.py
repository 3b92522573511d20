"""After-the-fact checks of the bills (``cistern billing-check``), beside the schema's.

B1 every bill's total is the sum of its lines; B2 every posted bill with a non-zero total
has a journal entry whose receivable postings for the account sum to the total, and a
cancelled bill's entry is reversed; B3 at most one live bill per account and period (I7).
Each check returns a list of problems; empty means it holds.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Count, F, Q, Sum

from cistern.billing.models import Bill
from cistern.ledger.models import JournalEntry, Posting


def check_totals() -> list[str]:
    rows = Bill.objects.annotate(lines_sum=Sum("lines__amount_cents")).exclude(
        Q(total_cents=F("lines_sum")) | Q(lines_sum__isnull=True, total_cents=0)
    )
    return [f"{b.number}: total {b.total_cents} but lines sum to {b.lines_sum}" for b in rows]


def check_ledger() -> list[str]:
    problems = []
    posted = Bill.objects.filter(status__in=[Bill.Status.POSTED, Bill.Status.CANCELLED])
    receivable = dict(
        Posting.objects.filter(entry__source="bill", customer_account__isnull=False)
        .values_list("entry_id")
        .annotate(s=Sum("amount_cents"))
        .values_list("entry_id", "s")
    )
    reversed_ids = set(
        JournalEntry.objects.filter(reverses__isnull=False).values_list("reverses_id", flat=True)
    )
    for bill in posted.only("id", "total_cents", "journal_entry_id", "status"):
        if bill.journal_entry_id is None:
            if bill.total_cents != 0:
                problems.append(f"{bill.number}: posted without a journal entry")
            continue
        if receivable.get(bill.journal_entry_id, 0) != bill.total_cents:
            problems.append(f"{bill.number}: entry receivables differ from the bill total")
        if bill.status == Bill.Status.CANCELLED and bill.journal_entry_id not in reversed_ids:
            problems.append(f"{bill.number}: cancelled but its entry is not reversed")
    return problems


def check_one_bill_per_period() -> list[str]:
    rows = (
        Bill.objects.exclude(status=Bill.Status.CANCELLED)
        .values("account_id", "period_start", "period_end")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    return [
        f"account {r['account_id']}: {r['n']} bills for {r['period_start']} to {r['period_end']}"
        for r in rows
    ]


CHECKS: dict[str, tuple[str, Callable[[], list[str]]]] = {
    "B1": ("Bill totals equal the sum of their lines", check_totals),
    "B2": ("Posted bills tie to their journal entries", check_ledger),
    "B3": ("One live bill per account and period (I7)", check_one_bill_per_period),
}


def billing_check() -> dict[str, list[str]]:
    return {name: check() for name, (_, check) in CHECKS.items()}
