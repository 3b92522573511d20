"""The account summary on a bill: previous balance, payments, adjustments, amount due.

Read from the ledger's receivable postings for the account (positive = the customer owes).
The window runs from the day after the previous bill's bill date to this bill's bill date,
both inclusive; with no previous bill it starts on this bill's first service day:

    previous balance  every posting dated before the window
    payments          postings in the window from payments (and their reversals: returns)
    adjustments       every other posting in the window except this bill's own entry
    current charges   this bill's total
    amount due        the sum of the four (a credit balance is shown, and nothing is due)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, Sum

from cistern.billing.models import Bill
from cistern.ledger.models import Posting

PAYMENT_SOURCE = "payment"


@dataclass(frozen=True)
class AccountSummary:
    window_start: date
    window_end: date
    previous_balance_cents: int
    payments_cents: int  # negative: money received
    adjustments_cents: int
    current_charges_cents: int

    @property
    def balance_cents(self) -> int:
        return (
            self.previous_balance_cents
            + self.payments_cents
            + self.adjustments_cents
            + self.current_charges_cents
        )

    @property
    def amount_due_cents(self) -> int:
        return max(self.balance_cents, 0)

    @property
    def credit_cents(self) -> int:
        return max(-self.balance_cents, 0)


def previous_bill(bill: Bill) -> Bill | None:
    return (
        Bill.objects.filter(account_id=bill.account_id, period_end__lt=bill.period_start)
        .exclude(status__in=[Bill.Status.CANCELLED, Bill.Status.DRAFT, Bill.Status.HELD])
        .order_by("-period_end", "-id")
        .first()
    )


def _sum(rows) -> int:
    return int(rows.aggregate(total=Sum("amount_cents"))["total"] or 0)


def account_summary(bill: Bill) -> AccountSummary:
    before = previous_bill(bill)
    start = before.bill_date + timedelta(days=1) if before else bill.period_start
    end = max(bill.bill_date, start)
    receivable = Posting.objects.filter(
        customer_account_id=bill.account_id, ledger_account__is_receivable=True
    )
    window = receivable.filter(effective_date__gte=start, effective_date__lte=end)
    if bill.journal_entry_id:
        window = window.exclude(entry_id=bill.journal_entry_id)
    is_payment = Q(entry__source=PAYMENT_SOURCE) | Q(entry__reverses__source=PAYMENT_SOURCE)
    return AccountSummary(
        window_start=start,
        window_end=end,
        previous_balance_cents=_sum(receivable.filter(effective_date__lt=start)),
        payments_cents=_sum(window.filter(is_payment)),
        adjustments_cents=_sum(window.exclude(is_payment)),
        current_charges_cents=bill.total_cents,
    )
