"""The cash drawer: denominations, change due, and the blind count at close.

Rules (docs/decisions/payments-domain.md, "Drawer"; reference/payments.md, cash controls):

- Cash is counted by denomination: bills $100, $50, $20, $10, $5, $2, $1 and coins $1,
  50¢, 25¢, 10¢, 5¢, 1¢. A count is a number of pieces per denomination, never negative.
- Change due on a cash tender is tendered - due. Less than due is refused for cash unless
  a partial payment is explicitly allowed (then no change). Other tenders give no change:
  a check or card for more than due overpays, and the excess becomes a credit.
- Blind count: at close the cashier enters what is in the drawer per tender *before* the
  expected figures are shown; only then is `drawer_reconcile` run. Expected cash is the
  opening float plus the session's cash receipts (voided receipts excluded); expected
  checks, money orders and cards are their receipts. Over/short = counted - expected
  (positive over, negative short), per tender; it posts to the variance account.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum

from cistern.core.money import format_cents
from cistern.payments.domain.errors import PaymentRuleError

MSG_UNKNOWN_DENOMINATION = "“{code}” is not a denomination the drawer counts."
MSG_NEGATIVE_COUNT = "The count of {denomination} cannot be negative."
MSG_NEGATIVE_AMOUNT = "Amounts in a drawer cannot be negative ({what})."
MSG_TENDERED_SHORT = (
    "{tendered} tendered is less than the {due} due. Take at least {due} in cash, "
    "or record a partial payment."
)
MSG_NOTHING_DUE = "The amount due must be more than zero."


class Tender(StrEnum):
    CASH = "cash"
    CHECK = "check"
    MONEY_ORDER = "money_order"
    CARD = "card"


class Denomination(Enum):
    """US currency a drawer holds; the value is in cents. Dollar bills and coins count apart."""

    BILL_100 = ("bill_100", 10_000)
    BILL_50 = ("bill_50", 5_000)
    BILL_20 = ("bill_20", 2_000)
    BILL_10 = ("bill_10", 1_000)
    BILL_5 = ("bill_5", 500)
    BILL_2 = ("bill_2", 200)
    BILL_1 = ("bill_1", 100)
    COIN_100 = ("coin_100", 100)
    COIN_50 = ("coin_50", 50)
    COIN_25 = ("coin_25", 25)
    COIN_10 = ("coin_10", 10)
    COIN_5 = ("coin_5", 5)
    COIN_1 = ("coin_1", 1)

    @property
    def code(self) -> str:
        return str(self.value[0])

    @classmethod
    def from_code(cls, code: str) -> Denomination:
        """The denomination stored as ``code`` (``"bill_20"``)."""
        for denomination in cls:
            if denomination.code == code:
                return denomination
        raise PaymentRuleError("unknown_denomination", MSG_UNKNOWN_DENOMINATION.format(code=code))

    @property
    def cents(self) -> int:
        return int(self.value[1])

    @property
    def is_coin(self) -> bool:
        return self.code.startswith("coin")


def count_cash(counts: Mapping[Denomination, int]) -> int:
    """Cents in a drawer counted by denomination; a denomination not given counts 0."""
    for denomination, pieces in counts.items():
        if pieces < 0:
            raise PaymentRuleError(
                "negative_count", MSG_NEGATIVE_COUNT.format(denomination=denomination.code)
            )
    return sum(denomination.cents * pieces for denomination, pieces in counts.items())


def currency_and_coin(counts: Mapping[Denomination, int]) -> tuple[int, int]:
    """(currency cents, coin cents): how a deposit slip lists cash."""
    bills = {d: n for d, n in counts.items() if not d.is_coin}
    coins = {d: n for d, n in counts.items() if d.is_coin}
    return count_cash(bills), count_cash(coins)


def change_due(
    *,
    tender: Tender,
    amount_due_cents: int,
    amount_tendered_cents: int,
    allow_partial: bool = False,
) -> int:
    """Cash to hand back, in cents. Non-cash tenders give none (an overpayment is a credit)."""
    if amount_due_cents <= 0:
        raise PaymentRuleError("nothing_due", MSG_NOTHING_DUE)
    if amount_tendered_cents < 0:
        raise PaymentRuleError("negative_amount", MSG_NEGATIVE_AMOUNT.format(what="tendered"))
    if tender is not Tender.CASH:
        return 0
    if amount_tendered_cents < amount_due_cents:
        if allow_partial:
            return 0
        raise PaymentRuleError(
            "tendered_short",
            MSG_TENDERED_SHORT.format(
                tendered=format_cents(amount_tendered_cents), due=format_cents(amount_due_cents)
            ),
        )
    return amount_tendered_cents - amount_due_cents


@dataclass(frozen=True)
class SessionReceipt:
    """A receipt taken in a drawer session: the amount kept (net of change), in cents."""

    tender: Tender
    amount_cents: int
    voided: bool = False


@dataclass(frozen=True)
class BlindCount:
    """What the cashier counted at close, entered before seeing what was expected."""

    cash_by_denomination: Mapping[Denomination, int]
    checks_cents: int = 0
    money_orders_cents: int = 0
    card_cents: int = 0  # the card terminal's batch total

    def by_tender(self) -> dict[Tender, int]:
        counted = {
            Tender.CHECK: self.checks_cents,
            Tender.MONEY_ORDER: self.money_orders_cents,
            Tender.CARD: self.card_cents,
        }
        for tender, cents in counted.items():
            if cents < 0:
                raise PaymentRuleError(
                    "negative_amount", MSG_NEGATIVE_AMOUNT.format(what=tender.value)
                )
        return {Tender.CASH: count_cash(self.cash_by_denomination), **counted}


@dataclass(frozen=True)
class TenderLine:
    tender: Tender
    expected_cents: int
    counted_cents: int

    @property
    def over_short_cents(self) -> int:
        """Counted - expected: positive is over, negative is short."""
        return self.counted_cents - self.expected_cents


@dataclass(frozen=True)
class DrawerReconciliation:
    lines: tuple[TenderLine, ...]  # one per tender, in `Tender` order

    @property
    def over_short_cents(self) -> int:
        return sum(line.over_short_cents for line in self.lines)

    @property
    def balanced(self) -> bool:
        return all(line.over_short_cents == 0 for line in self.lines)

    def line(self, tender: Tender) -> TenderLine:
        return next(line for line in self.lines if line.tender is tender)


def drawer_expected(
    *, opening_float_cents: int, receipts: Iterable[SessionReceipt]
) -> dict[Tender, int]:
    """What the drawer should hold per tender: the float in cash plus unvoided receipts."""
    if opening_float_cents < 0:
        raise PaymentRuleError("negative_amount", MSG_NEGATIVE_AMOUNT.format(what="float"))
    expected = dict.fromkeys(Tender, 0)
    expected[Tender.CASH] = opening_float_cents
    for receipt in receipts:
        if not receipt.voided:
            expected[receipt.tender] += receipt.amount_cents
    return expected


def drawer_reconcile(
    *, opening_float_cents: int, receipts: Iterable[SessionReceipt], count: BlindCount
) -> DrawerReconciliation:
    """Expected vs counted per tender, and the over/short of each."""
    counted = count.by_tender()
    expected = drawer_expected(opening_float_cents=opening_float_cents, receipts=receipts)
    return DrawerReconciliation(lines=tuple(TenderLine(t, expected[t], counted[t]) for t in Tender))
