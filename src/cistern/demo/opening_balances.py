"""Post the demo's opening balances to the ledger, in bulk.

Each unpaid bill brought forward is one journal entry (source ``opening_balance``): a debit
to the receivable of each service on the customer account, a credit to that service's
revenue. ``journal_entry_post`` takes milliseconds an entry, too slow for tens of
thousands, so this writes exactly the rows it would — the entry with its idempotency key,
content hash (same function), effective date and recorded time; balanced postings that
copy the effective date; the open accounting period of each month; one audit event per
customer account touched — and checks that every entry balances before writing anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

from cistern.core.models import AuditEvent
from cistern.demo.domain.balances import OpeningBill, opening_bills
from cistern.demo.domain.plan import DistrictPlan
from cistern.demo.persist import Ids, next_id, raw_insert, sequences_reset
from cistern.ledger import codes
from cistern.ledger.domain.entries import Leg, entry_content_hash
from cistern.ledger.models import JournalEntry, LedgerAccount, Posting
from cistern.ledger.services import accounting_period_ensure

SOURCE = "opening_balance"
UNBALANCED = "opening balance entry for account {number} does not balance"


def legs_for(bill: OpeningBill, customer_account_id: int) -> list[Leg]:
    """Debit each service's receivable on the account, credit that service's revenue."""
    legs = []
    for service, cents in bill.charges:
        legs.append(
            Leg(codes.RECEIVABLE_FOR_CATEGORY[service], cents, customer_account_id, service)
        )
        legs.append(Leg(codes.REVENUE_FOR_CATEGORY[service], -cents))
    return legs


def post(plan: DistrictPlan, ids: Ids, *, seed: int, final_only: bool = False) -> int:
    """Write the opening-balance entries; returns how many.

    ``final_only``: just the final bills of accounts closed in the last weeks (a district
    with billed history has real bills for everything else; bill runs never bill a
    finaled account).
    """
    bills = opening_bills(plan)
    if final_only:
        bills = [b for b in bills if plan.accounts[b.account].status == "final"]
    if not bills:
        return 0
    ledger_ids = dict(LedgerAccount.objects.values_list("code", "id"))
    for day in sorted({b.effective_date.replace(day=1) for b in bills}):
        accounting_period_ensure(day=day)
    first_entry = next_id(JournalEntry)
    now = timezone.now()
    entries, postings, audits = [], [], []
    for n, bill in enumerate(bills):
        number = plan.accounts[bill.account].number
        account_id = ids.account(bill.account)
        legs = legs_for(bill, account_id)
        if sum(leg.amount_cents for leg in legs) != 0:
            raise AssertionError(UNBALANCED.format(number=number))
        entry = _entry(first_entry + n, bill, legs, number, seed, now)
        entries.append(entry)
        postings.extend(_postings(entry, legs, ledger_ids))
        audits.append(_audit(entry, legs, account_id, now))
    raw_insert(JournalEntry, _ENTRY_COLUMNS, entries)
    raw_insert(Posting, _POSTING_COLUMNS, postings)
    raw_insert(AuditEvent, _AUDIT_COLUMNS, audits)
    sequences_reset([JournalEntry])
    return len(entries)


_ENTRY_COLUMNS = (
    "id",
    "idempotency_key",
    "content_hash",
    "effective_date",
    "recorded_at",
    "source",
    "source_ref",
    "memo",
)
_POSTING_COLUMNS = (
    "entry_id",
    "ledger_account_id",
    "amount_cents",
    "customer_account_id",
    "charge_category",
    "effective_date",
)
_AUDIT_COLUMNS = (
    "occurred_at",
    "action",
    "subject_type",
    "subject_id",
    "account_id",
    "after",
    "reason",
)


def _entry(
    entry_id: int, bill: OpeningBill, legs: list[Leg], number: str, seed: int, now: datetime
) -> tuple:
    day = bill.effective_date
    memo = f"Opening balance: charges billed {day.isoformat()}"
    content_hash = entry_content_hash(
        legs=legs, effective_date=day, source=SOURCE, source_ref=number, memo=memo
    )
    key = f"demo-{seed}:opening:{number}:{day.isoformat()}"
    return (entry_id, key, content_hash, day, now, SOURCE, number, memo)


def _postings(entry: tuple, legs: list[Leg], ledger_ids: dict[str, int]) -> Iterator[tuple]:
    entry_id, day = entry[0], entry[3]
    for leg in legs:
        yield (
            entry_id,
            ledger_ids[leg.account_code],
            leg.amount_cents,
            leg.customer_account_id,
            leg.charge_category,
            day,
        )


def _audit(entry: tuple, legs: list[Leg], account_id: int, now: datetime) -> tuple:
    """The audit row ``journal_entry_post`` writes for the customer account it touches."""
    entry_id, key, _hash, day, _now, source, source_ref, memo = entry
    after = {
        "idempotency_key": key,
        "effective_date": day.isoformat(),
        "source": source,
        "source_ref": source_ref,
        "memo": memo,
        "reverses": None,
        "legs": [leg.as_json() for leg in legs],
    }
    subject = JournalEntry._meta.label
    return (now, "ledger.entry.post", subject, str(entry_id), account_id, after, memo)
