"""Posting a lockbox file's payments set-based: one ledger call for the whole file.

The rows are the ones ``payment_post_entry`` writes item by item — the entry under key
``payment:P<id>`` dated the deposit date, cash clearing against the account's receivables
applied in the district's order (``posting.payment_legs``), the payment marked posted and
linked to its entry — but the open charges of every account are read in a few queries and
every entry goes through ``cistern.ledger.bulk.journal_entries_post_bulk`` at once.

An account with more than one item in the file posts its items one at a time, in file
order, after the others (each payment must see the charges the one before it paid).
Callers hold the customer accounts' row locks (``payments.locks.accounts_lock``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from cistern.ledger import codes
from cistern.ledger.bulk import EntryRequest, journal_entries_post_bulk
from cistern.ledger.models import JournalEntry, Posting
from cistern.ledger.services import Leg
from cistern.payments import config
from cistern.payments.domain import OpenCharge, charge_kind_for, payment_apply
from cistern.payments.models import Payment
from cistern.payments.posting import (
    CATEGORY_CREDIT,
    CREDIT_ACCOUNT,
    DEBIT_ACCOUNT,
    SOURCE_PAYMENT,
    payment_post_entry,
)

IN_CLAUSE = 500


def lockbox_payments_post(*, payments: Sequence[Payment], source_ref: str, actor: Any) -> int:
    """Post ``payments`` (saved, pending, accounts locked); returns how many posted."""
    per_account = Counter(p.account_id for p in payments)
    alone = [p for p in payments if per_account[p.account_id] == 1]
    charges = open_charges_many([p.account_id for p in alone])
    order = config.application_order()
    requests = [
        EntryRequest(
            idempotency_key=f"payment:P{p.pk}",
            effective_date=p.received_on,
            source=SOURCE_PAYMENT,
            source_ref=source_ref,
            memo=f"{p.get_tender_display()} payment, {p.get_channel_display()}",
            legs=tuple(_legs(p, *charges.get(p.account_id, ([], {})), order)),
        )
        for p in alone
    ]
    journal_entries_post_bulk(requests=requests, actor=actor)
    _mark_posted([p.pk for p in alone])
    for payment in payments:
        if per_account[payment.account_id] > 1:
            payment_post_entry(payment=payment, source_ref=source_ref, actor=actor)
    return len(payments)


def open_charges_many(
    account_ids: Sequence[int],
) -> dict[int, tuple[list[OpenCharge], dict[str, str]]]:
    """``posting.open_charges`` for many accounts in a few queries."""
    rows_by_account: dict[int, list[tuple]] = defaultdict(list)
    ids = sorted(set(account_ids))
    for start in range(0, len(ids), IN_CLAUSE):
        rows = (
            Posting.objects.filter(
                customer_account_id__in=ids[start : start + IN_CLAUSE],
                ledger_account__is_receivable=True,
            )
            .order_by("customer_account_id", "effective_date", "id")
            .values_list(
                "customer_account_id", "charge_category", "ledger_account__code",
                "effective_date", "amount_cents",
            )
        )  # fmt: skip
        for account_id, *row in rows:
            rows_by_account[account_id].append(tuple(row))
    return {a: _open_charges(rows) for a, rows in rows_by_account.items()}


def _open_charges(rows: list[tuple]) -> tuple[list[OpenCharge], dict[str, str]]:
    """The same reckoning as ``posting.open_charges``, from rows already read."""
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


def _legs(
    payment: Payment, charges: list[OpenCharge], code_for: dict[str, str], order: Any
) -> list[Leg]:
    """``posting.payment_legs`` with the open charges given."""
    applied = payment_apply(payment_cents=payment.amount_cents, open_charges=charges, order=order)
    legs = [Leg(DEBIT_ACCOUNT, payment.amount_cents)]
    for category, cents in applied.by_category().items():
        code = code_for.get(category) or codes.RECEIVABLE_FOR_CATEGORY.get(category, CREDIT_ACCOUNT)
        legs.append(Leg(code, -cents, payment.account_id, category))
    if applied.unapplied_cents:
        legs.append(
            Leg(CREDIT_ACCOUNT, -applied.unapplied_cents, payment.account_id, CATEGORY_CREDIT)
        )
    return legs


def _mark_posted(payment_ids: list[int]) -> None:
    """Posted, linked to the entry posted under the payment's key (one UPDATE a slice)."""
    entry = JournalEntry.objects.filter(
        idempotency_key=Concat(Value("payment:P"), Cast(OuterRef("pk"), CharField()))
    ).values("pk")[:1]
    for start in range(0, len(payment_ids), IN_CLAUSE):
        Payment.objects.filter(pk__in=payment_ids[start : start + IN_CLAUSE]).update(
            status=Payment.Status.POSTED, entry=Subquery(entry)
        )
