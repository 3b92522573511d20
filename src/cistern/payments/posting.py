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
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from django.db import connection

from cistern.ledger import codes
from cistern.ledger.bulk_sql import select_in
from cistern.ledger.models import JournalEntry, LedgerAccount, Posting
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
    return open_charges_many([account_id]).get(account_id, ([], {}))


def open_charges_many(
    account_ids: Sequence[int],
) -> dict[int, tuple[list[OpenCharge], dict[str, str]]]:
    """`open_charges` of many accounts, without reading their whole history.

    The rule is `open_charges_from_rows`: a category's credits retire its oldest debits
    first, so what is open is the category's newest debits, for as much as its debits
    exceed its credits. The database sums each (account, category) (`_TOTALS_SQL`); only
    the debits of the last `RECENT_DAYS` before the newest are read for the categories with
    something open, and all of an account's debits only when those do not cover it. Same
    charges in the same order as the rule (tests pin it). Accounts with no receivable
    posting are absent.
    """
    ids = sorted(set(account_ids))
    code_for: dict[int, dict[str, str]] = defaultdict(dict)
    owed: dict[tuple[int, str], int] = {}  # (account, category) -> open cents
    first_debit: dict[tuple[int, str], int] = {}  # its first debit's (date, id) as one key
    exact: set[int] = set()  # accounts whose categories use several receivable codes
    newest: date | None = None
    for account, category, debited, credited, code, other_code, last, first in select_in(
        _totals_sql(), ids, pg_type="bigint"
    ):
        code_for[account][category] = code
        if code != other_code:
            exact.add(account)
        if debited > credited:
            owed[account, category] = debited - credited
            first_debit[account, category] = first
            last = _as_date(last)
            newest = last if newest is None or last > newest else newest
    found: dict[tuple[int, str], list[tuple[date, int, int]]] = {}
    if newest is not None:
        cutoff = newest - timedelta(days=RECENT_DAYS)
        short = _open_tails(owed, {a for a, _c in owed} - exact, cutoff, found)
        _open_tails(owed, short, None, found)
    result = {}
    kind = {category: charge_kind_for(category) for _a, category in owed}
    for account, codes_seen in code_for.items():
        if account in exact:
            continue
        items = [
            (day, first_debit[account, category], posting_id, category, cents)
            for category in codes_seen
            for day, posting_id, cents in found.get((account, category), ())
        ]
        items.sort()
        charges = [OpenCharge(c, day, cents, kind[c]) for day, _f, _i, c, cents in items]
        result[account] = (charges, codes_seen)
    result.update(_by_the_rule(sorted(exact)))
    return result


RECENT_DAYS = 100  # debits read first: those this close to the newest (a bill or three)
_DAY_KEY = 1_000_000_000_000  # (day number, posting id) as one integer: day x this + id


def _totals_sql() -> str:
    """Per (account, category): debits, credits, the lowest and highest receivable code,
    the newest debit's date and the first debit's (date, id) key."""
    day = (
        "(p.effective_date - DATE '1970-01-01')"
        if connection.vendor == "postgresql"
        else "CAST(julianday(p.effective_date) AS INTEGER)"
    )
    return f"""
        SELECT p.customer_account_id, p.charge_category,
            CAST(SUM(CASE WHEN p.amount_cents > 0 THEN p.amount_cents ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN p.amount_cents > 0 THEN 0 ELSE -p.amount_cents END) AS BIGINT),
            MIN(a.code), MAX(a.code),
            MAX(CASE WHEN p.amount_cents > 0 THEN p.effective_date END),
            MIN(CASE WHEN p.amount_cents > 0 THEN {day} * {_DAY_KEY} + p.id END)
        FROM {_POSTINGS} p JOIN {_LEDGER_ACCOUNTS} a ON a.id = p.ledger_account_id
        WHERE a.is_receivable AND p.customer_account_id {{in_}}
        GROUP BY p.customer_account_id, p.charge_category
    """


_POSTINGS = Posting._meta.db_table
_LEDGER_ACCOUNTS = LedgerAccount._meta.db_table


def _open_tails(
    owed: dict[tuple[int, str], int],
    accounts: set[int],
    since: date | None,
    found: dict[tuple[int, str], list[tuple[date, int, int]]],
) -> set[int]:
    """Read the accounts' debits dated `since` or later (all, for None) and put each owing
    category's open ones, (date, posting id, open cents), in `found`; returns the accounts
    whose debits read did not cover what they owe."""
    if not accounts:
        return set()
    dated = f" AND p.effective_date >= '{since.isoformat()}'" if since else ""
    sql = (
        f"SELECT p.customer_account_id, p.charge_category, p.effective_date, p.id,"
        f" p.amount_cents FROM {_POSTINGS} p"
        f" JOIN {_LEDGER_ACCOUNTS} a ON a.id = p.ledger_account_id"
        f" WHERE a.is_receivable AND p.amount_cents > 0{dated} AND p.customer_account_id {{in_}}"
    )
    debits: dict[tuple[int, str], list[tuple[date, int, int]]] = defaultdict(list)
    for account, category, day, posting_id, cents in select_in(
        sql, sorted(accounts), pg_type="bigint"
    ):
        if (account, category) in owed:
            debits[account, category].append((_as_date(day), posting_id, cents))
    short: set[int] = set()
    for pair, cents_owed in owed.items():
        if pair[0] not in accounts:
            continue
        left, tail = cents_owed, []
        for day, posting_id, cents in sorted(debits.get(pair, ()), reverse=True):
            if left <= 0:
                break
            tail.append((day, posting_id, min(cents, left)))
            left -= cents
        if left > 0:
            short.add(pair[0])
        else:
            found[pair] = tail
    return short


def _by_the_rule(account_ids: list[int]) -> dict[int, tuple[list[OpenCharge], dict[str, str]]]:
    """`open_charges_from_rows` over every receivable posting of the accounts."""
    sql = (
        f"SELECT p.customer_account_id, p.charge_category, a.code, p.effective_date,"
        f" p.amount_cents FROM {_POSTINGS} p"
        f" JOIN {_LEDGER_ACCOUNTS} a ON a.id = p.ledger_account_id"
        " WHERE a.is_receivable AND p.customer_account_id {in_}"
        " ORDER BY p.customer_account_id, p.effective_date, p.id"
    )
    rows: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for account, category, code, day, cents in select_in(sql, account_ids, pg_type="bigint"):
        rows[account].append((category, code, _as_date(day), cents))
    return {account: open_charges_from_rows(found) for account, found in rows.items()}


@lru_cache(maxsize=4096)
def _from_text(value: str) -> date:
    return date.fromisoformat(value)


def _as_date(value: Any) -> date:
    """A date column through a raw cursor (SQLite gives ISO text)."""
    return value if isinstance(value, date) else _from_text(value)


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
