"""How a payment reaches the ledger: the account's open charges, the application, the legs.

Rule (issue 4 §2; docs/decisions/payments-domain.md "Payment application"): a payment debits
cash clearing and credits the customer's receivables per charge category, in the district's
order (default oldest first; ``payments/domain/application.py``). What the open charges do
not take is credited to the same customer on ``AR_OTHER`` with category ``credit``: the
account's balance goes below zero, which is how the ledger shows a credit balance. Deposit
charges (category ``deposit``) are never paid down by an ordinary payment.

Open charges come from the ledger alone: per category, charges (debits) are retired by that
category's credits oldest first; what is left of each charge, with its date, is open.

Callers must hold the customer account's row lock (``payments.locks``) before calling
``payment_legs``, so two cashiers paying one account cannot both apply to the same charge.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from cistern.ledger import codes
from cistern.ledger.models import JournalEntry, Posting
from cistern.ledger.services import Leg, journal_entry_post
from cistern.payments import config
from cistern.payments.domain import OpenCharge, charge_kind_for, payment_apply
from cistern.payments.models import Payment

CATEGORY_CREDIT = "credit"  # an unapplied payment: the customer's credit balance
CREDIT_ACCOUNT = codes.AR_OTHER
DEBIT_ACCOUNT = codes.CASH_CLEARING
SOURCE_PAYMENT = "payment"


def open_charges(*, account_id: int) -> tuple[list[OpenCharge], dict[str, str]]:
    """(open charges oldest first, {category: receivable ledger code}) from the ledger."""
    rows = (
        Posting.objects.filter(customer_account_id=account_id, ledger_account__is_receivable=True)
        .order_by("effective_date", "id")
        .values_list("charge_category", "ledger_account__code", "effective_date", "amount_cents")
    )
    return open_charges_from_rows(list(rows))


def open_charges_from_rows(rows: list[tuple[Any, ...]]) -> tuple[list[OpenCharge], dict[str, str]]:
    """Open charges from an account's receivable postings (category, code, date, cents), in
    date order: each category's credits retire its oldest charges first."""
    debits: dict[str, list[list[Any]]] = defaultdict(list)
    credits: dict[str, int] = defaultdict(int)
    code_for: dict[str, str] = {}
    for category, code, day, cents in rows:
        code_for.setdefault(category, code)
        if cents > 0:
            debits[category].append([day, cents])
        else:
            credits[category] += -cents
    charges: list[OpenCharge] = []
    for category, items in debits.items():
        left = credits[category]
        for day, cents in items:
            taken = min(left, cents)
            left -= taken
            if cents - taken > 0:
                charges.append(OpenCharge(category, day, cents - taken, charge_kind_for(category)))
    charges.sort(key=lambda c: c.charge_date)
    return charges, code_for


def payment_legs(*, account_id: int, amount_cents: int) -> list[Leg]:
    """The legs of a payment of ``amount_cents`` to ``account_id``, applied in policy order."""
    charges, code_for = open_charges(account_id=account_id)
    applied = payment_apply(
        payment_cents=amount_cents, open_charges=charges, order=config.application_order()
    )
    legs = [Leg(DEBIT_ACCOUNT, amount_cents)]
    for category, cents in applied.by_category().items():
        code = code_for.get(category) or codes.RECEIVABLE_FOR_CATEGORY.get(category, CREDIT_ACCOUNT)
        legs.append(Leg(code, -cents, account_id, category))
    if applied.unapplied_cents:
        legs.append(Leg(CREDIT_ACCOUNT, -applied.unapplied_cents, account_id, CATEGORY_CREDIT))
    return legs


def payment_post_entry(*, payment: Payment, source_ref: str, actor: Any) -> JournalEntry:
    """Post ``payment`` (account row already locked by the caller) and link its entry."""
    entry = journal_entry_post(
        idempotency_key=f"payment:P{payment.pk}",
        effective_date=payment.received_on,
        source=SOURCE_PAYMENT,
        source_ref=source_ref,
        memo=f"{payment.get_tender_display()} payment, {payment.get_channel_display()}",
        legs=payment_legs(account_id=payment.account_id, amount_cents=payment.amount_cents),
        actor=actor,
    )
    payment.entry = entry
    payment.status = Payment.Status.POSTED
    payment.save(update_fields=["entry", "status"])
    return entry


def payment_reverse_entry(
    *, payment: Payment, effective_date: date, reason: str, status: str, actor: Any
) -> JournalEntry:
    """Reverse ``payment``'s entry (linked, at most once) and mark the payment ``status``."""
    from cistern.ledger.services import journal_entry_reverse

    reversal = journal_entry_reverse(
        entry=payment.entry, effective_date=effective_date, reason=reason, actor=actor
    )
    payment.reversal_entry = reversal
    payment.status = status
    payment.save(update_fields=["reversal_entry", "status"])
    return reversal
