"""Reads of the ledger, shaped for the account page, the finance screens and other apps.

Sign convention: ``amount_cents`` > 0 is a debit, < 0 a credit. On a receivable posting a
debit is a charge (the customer owes more) and a credit is a payment or credit, so a customer
account's balance is the plain sum of its receivable postings: positive = the customer owes,
negative = the district owes the customer (a credit balance).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, Sum

from cistern.ledger.domain.aging import Aging, age_balance
from cistern.ledger.models import JournalEntry, LedgerAccount, Posting

__all__ = [
    "Aging",
    "PostingRow",
    "TrialBalanceRow",
    "account_aging",
    "account_balance_by_category",
    "account_balance_cents",
    "account_recent_postings",
    "trial_balance",
    "trial_balance_total_cents",
]


@dataclass(frozen=True)
class PostingRow:
    """One receivable posting as the account page shows it (amounts in cents)."""

    entry_id: int
    effective_date: date
    source: str
    source_ref: str
    memo: str
    charge_category: str
    amount_cents: int
    running_balance_cents: int


@dataclass(frozen=True)
class TrialBalanceRow:
    """One ledger account's net balance; debit/credit split for display (cents)."""

    code: str
    name: str
    kind: str
    balance_cents: int

    @property
    def debit_cents(self) -> int:
        return self.balance_cents if self.balance_cents > 0 else 0

    @property
    def credit_cents(self) -> int:
        return -self.balance_cents if self.balance_cents < 0 else 0


def _receivables(*, account_id: int):
    return Posting.objects.filter(
        customer_account_id=account_id, ledger_account__is_receivable=True
    )


def account_balance_cents(*, account_id: int) -> int:
    """What the customer owes (positive) or is owed (negative), in cents, over all dates."""
    total = _receivables(account_id=account_id).aggregate(total=Sum("amount_cents"))["total"]
    return int(total or 0)


def account_balance_by_category(*, account_id: int) -> dict[str, int]:
    """Balance per charge category (water, sewer, late_fee...), omitting categories at zero."""
    rows = (
        _receivables(account_id=account_id)
        .values("charge_category")
        .annotate(total=Sum("amount_cents"))
        .order_by("charge_category")
    )
    return {r["charge_category"]: int(r["total"]) for r in rows if r["total"]}


def account_aging(*, account_id: int, as_of: date) -> Aging:
    """The balance as of ``as_of`` split by age; payments retire the oldest charges first."""
    postings = list(
        _receivables(account_id=account_id)
        .filter(effective_date__lte=as_of)
        .values_list("effective_date", "amount_cents")
    )
    balance_cents = sum(amount for _, amount in postings)
    return age_balance(balance_cents=balance_cents, charges=postings, as_of=as_of)


def account_recent_postings(*, account_id: int, limit: int = 10) -> list[PostingRow]:
    """The newest ``limit`` receivable postings, newest first, with the balance after each."""
    rows = list(
        _receivables(account_id=account_id)
        .select_related("entry")
        .order_by("-effective_date", "-entry__recorded_at", "-id")[:limit]
    )
    running = account_balance_cents(account_id=account_id)
    result: list[PostingRow] = []
    for p in rows:
        result.append(
            PostingRow(
                entry_id=p.entry_id,
                effective_date=p.effective_date,
                source=p.entry.source,
                source_ref=p.entry.source_ref,
                memo=p.entry.memo,
                charge_category=p.charge_category,
                amount_cents=p.amount_cents,
                running_balance_cents=running,
            )
        )
        running -= p.amount_cents
    return result


def trial_balance(*, as_of: date | None = None) -> list[TrialBalanceRow]:
    """Every ledger account (active, or with postings) and its net balance; sums to zero."""
    posting_filter = Q(postings__effective_date__lte=as_of) if as_of else Q()
    accounts = LedgerAccount.objects.annotate(
        total=Sum("postings__amount_cents", filter=posting_filter)
    ).order_by("code")
    return [
        TrialBalanceRow(code=a.code, name=a.name, kind=a.kind, balance_cents=int(a.total or 0))
        for a in accounts
        if a.active or a.total
    ]


def trial_balance_total_cents(*, as_of: date | None = None) -> int:
    """The sum of every posting up to ``as_of``: zero whenever the ledger is sound (I1)."""
    qs = Posting.objects.all()
    if as_of:
        qs = qs.filter(effective_date__lte=as_of)
    return int(qs.aggregate(total=Sum("amount_cents"))["total"] or 0)


def journal_entry_get(*, entry_id: int) -> JournalEntry | None:
    """One entry with its postings and reversal links, or None."""
    return (
        JournalEntry.objects.select_related("actor", "reverses")
        .prefetch_related("postings__ledger_account", "postings__customer_account")
        .filter(pk=entry_id)
        .first()
    )


def journal_entry_list(*, limit: int = 25) -> list[JournalEntry]:
    """The most recently recorded entries, newest first."""
    return list(
        JournalEntry.objects.select_related("actor").order_by("-recorded_at", "-id")[:limit]
    )
