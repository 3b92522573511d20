"""Payment application: which open charges a payment pays, and what is left as a credit.

Rule (docs/decisions/payments-domain.md, "Payment application"; issue 4 §2):

- A payment is applied to the account's open charges in a configurable order. The default,
  ``OLDEST_FIRST``, pays the oldest charge first, whatever its category. ``FEES_FIRST`` pays
  every fee and penalty first (oldest fee first), then the service charges oldest first.
  Charges of the same date are paid in the order given.
- What the open charges do not take is *unapplied*: it becomes the customer's credit.
- A deposit held is never consumed by an ordinary payment: charges of kind ``DEPOSIT``
  are passed over whatever the order (applying a deposit is a separate, explicit act).
- One tendered payment may be split over several accounts on one receipt, by explicit
  amounts that must add up to exactly what was tendered. `payment_split_suggest` offers
  amounts in proportion to what each account owes, for the cashier to accept or change.

Invariant: allocations + unapplied == payment, and no allocation exceeds its charge.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from operator import attrgetter

from cistern.core.money import allocate, format_cents
from cistern.payments.domain.errors import PaymentRuleError

# The ledger's fee categories (cistern/ledger/codes.py); services may pass their own.
DEFAULT_FEE_CATEGORIES = frozenset(
    {
        "late_fee",
        "returned_payment_fee",
        "reconnection_fee",
        "door_tag_fee",
        "new_account_fee",
        "meter_test_fee",
    }
)
DEFAULT_DEPOSIT_CATEGORIES = frozenset({"deposit"})

MSG_PAYMENT_NOT_POSITIVE = "A payment must be more than zero."
MSG_CHARGE_NEGATIVE = (
    "The open amount of {category} dated {charge_date} is negative; "
    "pass open charges only (a credit is not a charge)."
)
MSG_SPLIT_EMPTY = "Choose at least one account to pay."
MSG_SPLIT_NOT_POSITIVE = "The amount for account {account} must be more than zero."
MSG_SPLIT_DUPLICATE = "Account {account} is listed twice; enter one amount per account."
MSG_SPLIT_MISMATCH = (
    "The amounts for the accounts add up to {shares} but {tendered} was tendered; make them equal."
)


class ApplicationOrder(StrEnum):
    OLDEST_FIRST = "oldest_first"
    FEES_FIRST = "fees_first"


class ChargeKind(StrEnum):
    SERVICE = "service"  # water, sewer... what the utility sells
    FEE = "fee"  # penalties and fees: late fee, returned payment, reconnection...
    DEPOSIT = "deposit"  # held as security; never paid down by an ordinary payment


def charge_kind_for(
    category: str,
    *,
    fee_categories: frozenset[str] = DEFAULT_FEE_CATEGORIES,
    deposit_categories: frozenset[str] = DEFAULT_DEPOSIT_CATEGORIES,
) -> ChargeKind:
    """The kind of a ledger charge category, for `OpenCharge.kind`."""
    if category in deposit_categories:
        return ChargeKind.DEPOSIT
    if category in fee_categories:
        return ChargeKind.FEE
    return ChargeKind.SERVICE


@dataclass(frozen=True)
class OpenCharge:
    """What is still owed of one charge category from one date, in cents."""

    category: str
    charge_date: date
    amount_cents: int  # open (unpaid) amount; zero is allowed and takes nothing
    kind: ChargeKind = ChargeKind.SERVICE


@dataclass(frozen=True)
class Allocation:
    category: str
    charge_date: date
    amount_cents: int  # > 0, at most the charge's open amount


@dataclass(frozen=True)
class PaymentApplication:
    """Where a payment went. ``unapplied_cents`` becomes the customer's credit."""

    payment_cents: int
    allocations: tuple[Allocation, ...]  # in the order they were paid
    unapplied_cents: int

    @property
    def applied_cents(self) -> int:
        return sum(a.amount_cents for a in self.allocations)

    def by_category(self) -> dict[str, int]:
        """Cents applied per charge category, in the order first paid."""
        totals: dict[str, int] = {}
        for allocation in self.allocations:
            totals[allocation.category] = (
                totals.get(allocation.category, 0) + allocation.amount_cents
            )
        return totals


def _payment_order(charges: Sequence[OpenCharge], order: ApplicationOrder) -> list[OpenCharge]:
    """The payable charges in the order they are paid. Python's sort is stable, so charges
    that tie keep the order given; charges already in date order (as the ledger gives them)
    cost one pass."""
    payable = [c for c in charges if c.kind is not _DEPOSIT]
    if order is ApplicationOrder.FEES_FIRST:
        payable.sort(key=_fees_first)
    else:
        payable.sort(key=_by_date)
    return payable


_DEPOSIT = ChargeKind.DEPOSIT
_by_date = attrgetter("charge_date")


def _fees_first(charge: OpenCharge) -> tuple[bool, date]:
    return (charge.kind is not ChargeKind.FEE, charge.charge_date)


def payment_apply(
    *,
    payment_cents: int,
    open_charges: Iterable[OpenCharge],
    order: ApplicationOrder = ApplicationOrder.OLDEST_FIRST,
) -> PaymentApplication:
    """Apply ``payment_cents`` to ``open_charges`` in ``order``; the rest is unapplied."""
    if payment_cents <= 0:
        raise PaymentRuleError("payment_not_positive", MSG_PAYMENT_NOT_POSITIVE)
    charges = list(open_charges)
    for charge in charges:
        if charge.amount_cents < 0:
            raise PaymentRuleError(
                "charge_negative",
                MSG_CHARGE_NEGATIVE.format(
                    category=charge.category, charge_date=charge.charge_date.isoformat()
                ),
            )
    remaining = payment_cents
    allocations: list[Allocation] = []
    for charge in _payment_order(charges, order):
        take = min(remaining, charge.amount_cents)
        if take > 0:
            allocations.append(Allocation(charge.category, charge.charge_date, take))
            remaining -= take
    return PaymentApplication(
        payment_cents=payment_cents, allocations=tuple(allocations), unapplied_cents=remaining
    )


@dataclass(frozen=True)
class AccountShare:
    """The part of one tendered payment that goes to one account, in cents."""

    account_number: str
    amount_cents: int


def payment_split(
    *, tendered_cents: int, shares: Sequence[tuple[str, int]]
) -> tuple[AccountShare, ...]:
    """One payment over several accounts on one receipt: explicit amounts, summing exactly."""
    if not shares:
        raise PaymentRuleError("split_empty", MSG_SPLIT_EMPTY)
    seen: set[str] = set()
    for account, amount in shares:
        if amount <= 0:
            raise PaymentRuleError(
                "split_not_positive", MSG_SPLIT_NOT_POSITIVE.format(account=account)
            )
        if account in seen:
            raise PaymentRuleError("split_duplicate", MSG_SPLIT_DUPLICATE.format(account=account))
        seen.add(account)
    total = sum(amount for _, amount in shares)
    if total != tendered_cents:
        raise PaymentRuleError(
            "split_mismatch",
            MSG_SPLIT_MISMATCH.format(
                shares=format_cents(total), tendered=format_cents(tendered_cents)
            ),
        )
    return tuple(AccountShare(account, amount) for account, amount in shares)


def payment_split_suggest(
    *, tendered_cents: int, amounts_due: Sequence[tuple[str, int]]
) -> tuple[AccountShare, ...]:
    """Amounts to pre-fill for a split: in proportion to each account's amount due.

    Accounts owing nothing (or a credit) get nothing unless none owes anything, in which
    case the payment is spread evenly. The cashier confirms with `payment_split`.
    """
    if not amounts_due:
        raise PaymentRuleError("split_empty", MSG_SPLIT_EMPTY)
    if tendered_cents <= 0:
        raise PaymentRuleError("payment_not_positive", MSG_PAYMENT_NOT_POSITIVE)
    weights = [max(due, 0) for _, due in amounts_due]
    if not any(weights):
        weights = [1] * len(amounts_due)
    parts = allocate(tendered_cents, weights)
    return tuple(
        AccountShare(account, part)
        for (account, _), part in zip(amounts_due, parts, strict=True)
        if part > 0
    )
