"""What cashiering expects the bank to have credited, and the match against a BAI2 file.

Expected deposits (docs/user-guide/finance-day-close.md "What Cistern expects"):
- the deposit slip of each business day (``reports.deposit_slip``: currency + coin +
  checks and money orders), one deposit per day;
- each posted lockbox batch, on its deposit date, with the bank's batch id as reference
  (the bank deposits lockbox items itself, so they are not on the slip);
- each day's card payments, and each day's ACH / e-check payments, as one settlement per
  day (reference: empty, unless every payment of the day carries the same processor
  reference);
over the file's as-of dates and the ``window_days`` before them. The pure matcher is
``domain.deposit_match``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Sum

from cistern.payments.domain.deposit_match import (
    DEFAULT_WINDOW_DAYS,
    BankCreditLine,
    ExpectedDeposit,
    Reconciliation,
    deposits_match,
)
from cistern.payments.models import BankStatementImport, Channel, Payment, PaymentBatch
from cistern.payments.reports import deposit_slip

SETTLED = (Payment.Status.POSTED, Payment.Status.RETURNED, Payment.Status.REVERSED)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _slips(days: list[date]) -> list[ExpectedDeposit]:
    found = []
    for day in days:
        slip = deposit_slip(day=day)
        if slip.total_cents > 0:
            found.append(
                ExpectedDeposit(
                    f"slip:{day.isoformat()}",
                    "deposit_slip",
                    day,
                    slip.total_cents,
                    "",
                    f"Deposit slip {day}",
                )
            )
    return found


def _lockbox(first: date, last: date) -> list[ExpectedDeposit]:
    batches = (
        PaymentBatch.objects.filter(
            channel=Channel.LOCKBOX,
            status=PaymentBatch.Status.POSTED,
            business_date__range=(first, last),
        )
        .annotate(total=Sum("payments__amount_cents"))
        .order_by("business_date", "pk")
    )
    return [
        ExpectedDeposit(
            f"lockbox:B{b.pk}",
            "lockbox",
            b.business_date,
            b.total or 0,
            b.external_id,
            f"Lockbox batch {b.external_id} (B{b.pk})",
        )
        for b in batches
    ]


def _settlements(first: date, last: date) -> list[ExpectedDeposit]:
    totals: dict[tuple[date, str], int] = defaultdict(int)
    references: dict[tuple[date, str], set[str]] = defaultdict(set)
    rows = (
        Payment.objects.filter(
            tender__in=["card", "ach"], status__in=SETTLED, received_on__range=(first, last)
        )
        .exclude(channel=Channel.LOCKBOX)
        .values_list("received_on", "tender", "amount_cents", "processor_reference")
    )
    for day, tender, cents, reference in rows:
        totals[(day, tender)] += cents
        references[(day, tender)].add(reference)
    return [
        ExpectedDeposit(
            f"{tender}:{day.isoformat()}",
            tender,
            day,
            cents,
            _only(references[(day, tender)]),
            f"{tender.upper()} settlement {day}",
        )
        for (day, tender), cents in sorted(totals.items())
    ]


def _only(references: set[str]) -> str:
    return next(iter(references)) if len(references) == 1 else ""


def expected_deposits(*, first: date, last: date) -> list[ExpectedDeposit]:
    """Every deposit cashiering expects on the days ``first``..``last``, in a stable order."""
    return _slips(_days(first, last)) + _lockbox(first, last) + _settlements(first, last)


def statement_reconcile(
    *, statement: BankStatementImport, window_days: int = DEFAULT_WINDOW_DAYS
) -> Reconciliation:
    """Match the statement's credits to the deposits of its as-of days and the window before."""
    credits = [
        BankCreditLine(
            str(c.pk),
            c.as_of_date,
            c.amount_cents,
            c.bank_reference,
            f"{c.type_code} {c.type_description} {c.text}".strip(),
        )
        for c in statement.credits.order_by("sequence")
    ]
    first = statement.first_as_of - timedelta(days=window_days)
    deposits = expected_deposits(first=first, last=statement.last_as_of)
    return deposits_match(credits=credits, deposits=deposits, window_days=window_days)
