"""Tie the bank's credits (a BAI2 prior-day file) to the deposits cashiering expects.

Rules (docs/user-guide/finance-day-close.md "Bank reconciliation"):
- an expected deposit is one day's deposit slip (currency + coin + checks), one posted
  lockbox batch, or one day's card or ACH settlement, each with its date and amount in cents;
- pass 1: a credit and a deposit that carry the same non-empty reference and amount tie;
- pass 2: same amount, and the bank's date equals the deposit's date;
- pass 3: same amount, the bank's date from 0 to ``window_days`` after the deposit's date
  (the nearest date wins; on a tie, the earlier deposit in the input's order);
- each credit and each deposit ties at most once; everything else is listed as not tied,
  on both sides.
Pure: no Django, no clock; the input's order decides ties, so the result is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

DEFAULT_WINDOW_DAYS = 3


@dataclass(frozen=True)
class BankCreditLine:
    key: str  # stable id for the screen (e.g. the stored credit's id)
    posted_on: date  # the file's as-of date
    amount_cents: int
    reference: str = ""
    description: str = ""


@dataclass(frozen=True)
class ExpectedDeposit:
    key: str  # e.g. "slip:2025-03-03", "lockbox:B12", "card:2025-03-03"
    kind: str  # deposit_slip, lockbox, card, ach
    deposited_on: date
    amount_cents: int
    reference: str = ""
    description: str = ""


@dataclass(frozen=True)
class Match:
    credit: BankCreditLine
    deposit: ExpectedDeposit
    rule: str  # reference, same_day, within_window

    @property
    def days_apart(self) -> int:
        return (self.credit.posted_on - self.deposit.deposited_on).days


@dataclass(frozen=True)
class Reconciliation:
    matches: tuple[Match, ...]
    unmatched_credits: tuple[BankCreditLine, ...]
    unmatched_deposits: tuple[ExpectedDeposit, ...]

    @property
    def ties(self) -> bool:
        return not self.unmatched_credits and not self.unmatched_deposits


Rule = Callable[[BankCreditLine, ExpectedDeposit], int | None]  # None: no tie; else a rank


def _by_reference(c: BankCreditLine, d: ExpectedDeposit) -> int | None:
    same = bool(c.reference) and c.reference == d.reference
    return 0 if same and c.amount_cents == d.amount_cents else None


def _same_day(c: BankCreditLine, d: ExpectedDeposit) -> int | None:
    return 0 if c.amount_cents == d.amount_cents and c.posted_on == d.deposited_on else None


def _within(window_days: int) -> Rule:
    def rule(c: BankCreditLine, d: ExpectedDeposit) -> int | None:
        apart = (c.posted_on - d.deposited_on).days
        return apart if c.amount_cents == d.amount_cents and 0 <= apart <= window_days else None

    return rule


def deposits_match(
    *,
    credits: Sequence[BankCreditLine],
    deposits: Sequence[ExpectedDeposit],
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> Reconciliation:
    """Match credits to deposits by the three passes above; list the rest on both sides."""
    open_credits = list(credits)
    open_deposits = list(deposits)
    matches: list[Match] = []
    passes: tuple[tuple[str, Rule], ...] = (
        ("reference", _by_reference),
        ("same_day", _same_day),
        ("within_window", _within(window_days)),
    )
    for name, rule in passes:
        for credit in list(open_credits):
            ranked = [
                (rank, i)
                for i, d in enumerate(open_deposits)
                if (rank := rule(credit, d)) is not None
            ]
            if not ranked:
                continue
            deposit = open_deposits.pop(min(ranked)[1])
            open_credits.remove(credit)
            matches.append(Match(credit, deposit, name))
    return Reconciliation(tuple(matches), tuple(open_credits), tuple(open_deposits))
