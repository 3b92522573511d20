"""The pure rules of a journal entry: what makes one valid, and what makes two the same.

Sign convention: ``amount_cents`` > 0 is a debit, < 0 a credit. An entry balances when its
legs sum to zero (I1). A leg on a receivable ledger account must name the customer account
whose balance it moves and the charge category (water, sewer, late_fee...) it is for, so
balances and aging come from the ledger alone.

Two posting requests are "the same" (I5) when their content hash is equal: SHA-256 of the
canonical JSON of the legs (sorted, so their order does not matter), the effective date, the
source, the source reference and the memo.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

CATEGORY_MAX_LENGTH = 30

ENTRY_EMPTY = "A journal entry needs at least two legs. Add the debit and the credit."
ENTRY_UNBALANCED = (
    "The entry does not balance: debits and credits differ by {difference} cents. "
    "Correct the amounts so they sum to zero."
)
LEG_ZERO = "Leg {index} has an amount of zero. Remove it or enter the amount."
LEG_UNKNOWN_ACCOUNT = "Ledger account “{code}” is not in the chart of accounts. Check the code."
LEG_INACTIVE_ACCOUNT = "Ledger account “{code}” is inactive. Post to an active account."
LEG_NEEDS_CUSTOMER = (
    "Leg {index} posts to receivable account “{code}” without a customer account. "
    "Name the customer account it belongs to."
)
LEG_NEEDS_CATEGORY = (
    "Leg {index} posts to receivable account “{code}” without a charge category. "
    "Give the category (water, sewer, late_fee...)."
)
LEG_CATEGORY_TOO_LONG = "Leg {index}: the charge category is longer than 30 characters."


class EntryRejected(ValueError):
    """The legs cannot form a journal entry; ``message`` says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Leg:
    """One side of a journal entry, before it is written.

    ``account_code`` is the ledger account's code; ``amount_cents`` > 0 debits it, < 0
    credits it; ``customer_account_id`` and ``charge_category`` are required on receivables.
    """

    account_code: str
    amount_cents: int
    customer_account_id: int | None = None
    charge_category: str = ""

    def negated(self) -> Leg:
        return Leg(
            self.account_code, -self.amount_cents, self.customer_account_id, self.charge_category
        )

    def as_json(self) -> dict[str, object]:
        return {
            "account": self.account_code,
            "amount_cents": self.amount_cents,
            "customer_account_id": self.customer_account_id,
            "charge_category": self.charge_category,
        }


def validate_legs(
    legs: Sequence[Leg],
    *,
    known_codes: Collection[str],
    inactive_codes: Collection[str] = (),
    receivable_codes: Collection[str],
) -> None:
    """Raise ``EntryRejected`` unless ``legs`` make a valid, balanced entry."""
    if len(legs) < 2:
        raise EntryRejected(ENTRY_EMPTY)
    for index, leg in enumerate(legs, start=1):
        _validate_leg(index, leg, known_codes, inactive_codes, receivable_codes)
    difference = sum(leg.amount_cents for leg in legs)
    if difference != 0:
        raise EntryRejected(ENTRY_UNBALANCED.format(difference=difference))


def _validate_leg(
    index: int,
    leg: Leg,
    known_codes: Collection[str],
    inactive_codes: Collection[str],
    receivable_codes: Collection[str],
) -> None:
    if isinstance(leg.amount_cents, bool) or not isinstance(leg.amount_cents, int):
        raise TypeError("amount_cents must be an int number of cents")
    if leg.amount_cents == 0:
        raise EntryRejected(LEG_ZERO.format(index=index))
    if leg.account_code not in known_codes:
        raise EntryRejected(LEG_UNKNOWN_ACCOUNT.format(code=leg.account_code))
    if leg.account_code in inactive_codes:
        raise EntryRejected(LEG_INACTIVE_ACCOUNT.format(code=leg.account_code))
    if len(leg.charge_category) > CATEGORY_MAX_LENGTH:
        raise EntryRejected(LEG_CATEGORY_TOO_LONG.format(index=index))
    if leg.account_code in receivable_codes:
        if leg.customer_account_id is None:
            raise EntryRejected(LEG_NEEDS_CUSTOMER.format(index=index, code=leg.account_code))
        if not leg.charge_category:
            raise EntryRejected(LEG_NEEDS_CATEGORY.format(index=index, code=leg.account_code))


def entry_content_hash(
    *, legs: Sequence[Leg], effective_date: date, source: str, source_ref: str, memo: str
) -> str:
    """SHA-256 (hex) of the canonical JSON of what the entry says; leg order does not count.

    The canonical text is ``json.dumps`` of ``{"legs": [leg.as_json()...], "effective_date",
    "source", "source_ref", "memo"}`` with sorted keys, no spaces and ``ensure_ascii=False``;
    the legs sorted by the text of ``json.dumps(leg.as_json(), sort_keys=True)``. Every
    stored hash was computed that way, so the value may never change
    (tests/unit/ledger/test_content_hash_pinned.py). It is built here piece by piece, with
    the JSON of repeated strings (codes, categories, memos) remembered, because a bill run
    or a lockbox file hashes 100,000 entries.
    """
    keyed = sorted((_leg_sort_key(leg), _leg_text(leg)) for leg in legs)
    text = (
        f'{{"effective_date":"{effective_date.isoformat()}",'
        f'"legs":[{",".join(leg_text for _key, leg_text in keyed)}],'
        f'"memo":{_json_text(memo)},"source":{_json_text(source)},'
        f'"source_ref":{_json_text(source_ref)}}}'
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _leg_sort_key(leg: Leg) -> str:
    """``json.dumps(leg.as_json(), sort_keys=True)``: the text the legs are sorted by."""
    return (
        f'{{"account": {_json_ascii(leg.account_code)}, '
        f'"amount_cents": {_json_number(leg.amount_cents)}, '
        f'"charge_category": {_json_ascii(leg.charge_category)}, '
        f'"customer_account_id": {_json_number(leg.customer_account_id)}}}'
    )


def _leg_text(leg: Leg) -> str:
    """The leg as it appears in the canonical text (sorted keys, no spaces, not ASCII-only)."""
    return (
        f'{{"account":{_json_text(leg.account_code)},'
        f'"amount_cents":{_json_number(leg.amount_cents)},'
        f'"charge_category":{_json_text(leg.charge_category)},'
        f'"customer_account_id":{_json_number(leg.customer_account_id)}}}'
    )


@lru_cache(maxsize=4096)
def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


@lru_cache(maxsize=4096)
def _json_ascii(value: object) -> str:
    return json.dumps(value)


def _json_number(value: object) -> str:
    # ``str`` of an int is its JSON; anything else but None (a bad value that validation
    # refuses later) goes through ``json.dumps`` as before.
    if type(value) is int:
        return str(value)
    return "null" if value is None else json.dumps(value)


def reversal_legs(legs: Sequence[Leg]) -> list[Leg]:
    """The legs that exactly undo ``legs`` (I4)."""
    return [leg.negated() for leg in legs]
