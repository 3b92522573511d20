"""The after-the-fact invariant check of the whole ledger (``cistern ledger-check``).

Each check returns human-readable violations; an empty list means the invariant holds.
I1 entries balance and the trial balance is zero; I2 customer balances come from their
postings and the receivables subledger equals the control accounts; I3 the append-only
triggers are installed (and, on PostgreSQL, the reference triggers that stand in for the
high-volume foreign keys); R1 no row refers to a missing parent; I4 each reversal mirrors
its original exactly, at most once, and no reversal is reversed; I9 nothing dated in a
closed period was recorded after the close.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from django.db import connection
from django.db.models import Count, F, Q, Sum

from cistern.ledger import db_references, db_triggers
from cistern.ledger.models import AccountingPeriod, JournalEntry, Posting

LIMIT = 20  # violations listed per check; the count says how many in all


def check_i1_entries_balance() -> list[str]:
    problems = []
    bad = (
        JournalEntry.objects.annotate(legs=Count("postings"), total=Sum("postings__amount_cents"))
        .filter(Q(legs__lt=2) | ~Q(total=0))
        .order_by("id")
    )
    for entry in bad[:LIMIT]:
        problems.append(
            f"JE{entry.pk} does not balance: {entry.total or 0} cents over {entry.legs} postings"
        )
    if bad.count() > LIMIT:
        problems.append(f"... {bad.count() - LIMIT} more unbalanced entries")
    dates = Posting.objects.exclude(effective_date=F("entry__effective_date"))
    for p in dates[:LIMIT]:
        problems.append(f"posting {p.pk} is dated apart from its entry JE{p.entry_id}")
    total = Posting.objects.aggregate(t=Sum("amount_cents"))["t"] or 0
    if total:
        problems.append(f"the trial balance is {total} cents, not zero")
    return problems


def check_i2_subledger() -> list[str]:
    problems = []
    receivable = Posting.objects.filter(ledger_account__is_receivable=True)
    orphans = receivable.filter(Q(customer_account__isnull=True) | Q(charge_category=""))
    for p in orphans[:LIMIT]:
        problems.append(
            f"receivable posting {p.pk} (JE{p.entry_id}) lacks a customer account or category"
        )
    control = receivable.aggregate(t=Sum("amount_cents"))["t"] or 0
    by_customer = receivable.values("customer_account").annotate(t=Sum("amount_cents"))
    subledger = sum(row["t"] for row in by_customer if row["customer_account"] is not None)
    if subledger != control:
        problems.append(
            f"customer balances sum to {subledger} cents but the receivable control "
            f"accounts hold {control} cents"
        )
    return problems


def check_i3_triggers() -> list[str]:
    return [
        f"trigger {name} is missing: entries and postings are not protected from change"
        for name in sorted(db_triggers.missing(connection))
    ] + [
        f"trigger {name} is missing: references to parent rows are not checked"
        for name in sorted(db_references.missing(connection))
    ]


def check_r1_references() -> list[str]:
    """Bills, lines, entries, postings, payments and audit rows whose reference names no row.

    On PostgreSQL these columns are checked by statement-level triggers instead of foreign
    keys (``db_references``); this finds what a missing or bypassed trigger let through.
    """
    return db_references.orphans(connection, LIMIT)


def _leg_signature(entry_id: int, sign: int) -> Counter[tuple[int, int, int | None, str]]:
    rows = Posting.objects.filter(entry_id=entry_id).values_list(
        "ledger_account_id", "amount_cents", "customer_account_id", "charge_category"
    )
    return Counter((a, sign * amount, c, cat) for a, amount, c, cat in rows)


def check_i4_reversals() -> list[str]:
    problems = []
    reversals = JournalEntry.objects.filter(reverses__isnull=False).select_related("reverses")
    per_original = Counter(reversals.values_list("reverses_id", flat=True))
    for original_id, n in per_original.items():
        if n > 1:
            problems.append(f"JE{original_id} is reversed {n} times")
    for rev in reversals.iterator():
        if rev.reverses.reverses_id is not None:
            problems.append(f"JE{rev.pk} reverses JE{rev.reverses_id}, itself a reversal")
        if _leg_signature(rev.pk, 1) != _leg_signature(rev.reverses_id, -1):
            problems.append(f"JE{rev.pk} does not exactly mirror JE{rev.reverses_id}")
        if len(problems) >= LIMIT:
            break
    return problems


def check_i9_closed_periods() -> list[str]:
    problems = []
    for period in AccountingPeriod.objects.filter(closed_at__isnull=False):
        late = JournalEntry.objects.filter(
            effective_date__lte=period.end_date, recorded_at__gt=period.closed_at
        )
        for entry in late[:LIMIT]:
            problems.append(
                f"JE{entry.pk} dated {entry.effective_date} was recorded {entry.recorded_at:%c} "
                f"after {period} closed"
            )
    return problems


CHECKS: dict[str, tuple[str, Callable[[], list[str]]]] = {
    "I1": ("every entry balances; the trial balance is zero", check_i1_entries_balance),
    "I2": ("customer balances equal their postings and the control accounts", check_i2_subledger),
    "I3": ("entries and postings are append-only (triggers present)", check_i3_triggers),
    "R1": ("every bill, line, posting, payment and audit reference resolves", check_r1_references),
    "I4": ("reversals mirror their originals, at most once", check_i4_reversals),
    "I9": ("nothing posted into a closed period", check_i9_closed_periods),
}


def ledger_check() -> dict[str, list[str]]:
    """Run every check; map invariant -> its violations (empty when it holds)."""
    return {name: check() for name, (_, check) in CHECKS.items()}
