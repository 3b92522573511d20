"""A bill's journal entry, as legs (pure): receivables by service against revenue by service.

Each charge category on the bill (water, sewer...) debits its receivable for the customer
account and credits its revenue, by the sum of that category's lines. Categories that sum
to zero are left out (a leg is never zero). A bill that totals zero in every category has
no entry.

A bill run posts the same legs set-based (``billing.posting`` through ``ledger.bulk_set``,
which groups the stored lines in SQL); a change to these rules must change both, and
tests/integration/billing/test_post_set_based.py compares the two paths row for row.
"""

from __future__ import annotations

from collections.abc import Iterable

from cistern.ledger.codes import RECEIVABLE_FOR_CATEGORY, REVENUE_FOR_CATEGORY
from cistern.ledger.domain.entries import Leg


def category_totals(lines: Iterable[tuple[str, int]]) -> dict[str, int]:
    """(category, amount_cents) pairs summed by category, in first-seen order."""
    totals: dict[str, int] = {}
    for category, cents in lines:
        totals[category] = totals.get(category, 0) + cents
    return totals


def bill_legs(*, account_id: int, lines: Iterable[tuple[str, int]]) -> list[Leg]:
    """The balanced legs of a bill's entry; ``KeyError`` for a category with no accounts."""
    legs: list[Leg] = []
    for category, cents in category_totals(lines).items():
        if cents == 0:
            continue
        legs.append(Leg(RECEIVABLE_FOR_CATEGORY[category], cents, account_id, category))
        legs.append(Leg(REVENUE_FOR_CATEGORY[category], -cents))
    return legs
