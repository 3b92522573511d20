"""Returned payments: the ACH return codes Cistern acts on, returned checks, and cash-only.

Rules (reference/payments.md "ACH autopay" and "Returned checks"; issue 4 §4):

- Every return reverses the payment (a linked reversing entry), charges the returned-payment
  fee and tells the customer. What else happens depends on the reason:
- R01 (insufficient funds) and R09 (uncollected funds) may be re-presented at most twice,
  within 180 days of the original entry's settlement date (NACHA re-initiation rule).
- R02, R03, R04, R05, R07, R10, R16 and R20 stop autopay: the account or the authorization
  is not usable until the customer gives a new one.
- R08 (payment stopped) and R29 (corporate customer says not authorized) are neither
  re-presented nor stop autopay by rule; staff follow up with the customer.
- Returns the payer caused (funds, closed or frozen account, stop payment, revoked
  authorization, and every returned check) count toward cash-only. After ``threshold`` of
  them in the last 12 months the account is cash-only: the counter refuses checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from cistern.payments.domain.errors import PaymentRuleError

MAX_REPRESENTMENTS = 2
REPRESENT_WINDOW = timedelta(days=180)  # from the original entry's settlement date

MSG_UNKNOWN_CODE = (
    "ACH return code “{code}” is not one Cistern handles automatically; "
    "handle the return by hand and tell the administrator."
)
MSG_NOT_REPRESENTABLE = "{code} ({title}) returns may not be re-presented."
MSG_TOO_MANY = "The payment was already re-presented {times} times; the limit is 2."
MSG_TOO_LATE = "More than 180 days have passed since the original settlement on {settled}."
MSG_BAD_THRESHOLD = "The cash-only threshold must be at least 1 return."
MSG_NEGATIVE_RETURNS = "The number of returns cannot be negative."


@dataclass(frozen=True)
class AchReturnReason:
    code: str
    title: str
    meaning: str
    may_represent: bool
    stops_autopay: bool
    counts_toward_cash_only: bool


def _reason(code: str, title: str, meaning: str, flags: str) -> AchReturnReason:
    """``flags``: R = may re-present, S = stops autopay, C = counts toward cash-only."""
    return AchReturnReason(code, title, meaning, "R" in flags, "S" in flags, "C" in flags)


ACH_RETURN_REASONS: dict[str, AchReturnReason] = {
    r.code: r
    for r in (
        _reason("R01", "Insufficient funds", "The balance does not cover the debit.", "RC"),
        _reason("R02", "Account closed", "The customer's bank account was closed.", "SC"),
        _reason("R03", "No account", "No account by that number, or name mismatch.", "S"),
        _reason("R04", "Invalid account number", "The account number is malformed.", "S"),
        _reason(
            "R05",
            "Unauthorized debit to consumer account",
            "A consumer account was debited with a business (CCD) entry.",
            "S",
        ),
        _reason("R07", "Authorization revoked", "The customer revoked the autopay.", "SC"),
        _reason("R08", "Payment stopped", "The customer stopped this one payment.", "C"),
        _reason("R09", "Uncollected funds", "Funds are on hold and not yet available.", "RC"),
        _reason(
            "R10",
            "Customer advises not authorized",
            "The customer says the utility was not authorized to debit the account.",
            "S",
        ),
        _reason("R16", "Account frozen", "The account is frozen (or by OFAC instruction).", "SC"),
        _reason("R20", "Non-transaction account", "The account cannot take debits.", "S"),
        _reason(
            "R29",
            "Corporate customer advises not authorized",
            "A business says the debit was not authorized.",
            "",
        ),
    )
}


def ach_return_reason(code: str) -> AchReturnReason:
    """The table entry for a return code (``"r01"`` and ``" R01 "`` are read as R01)."""
    reason = ACH_RETURN_REASONS.get(code.strip().upper())
    if reason is None:
        raise PaymentRuleError("unknown_return_code", MSG_UNKNOWN_CODE.format(code=code))
    return reason


class CheckReturnReason(StrEnum):
    """Why a bank returned a paper check; every one counts toward cash-only."""

    NSF = "nsf"  # not sufficient funds
    ACCOUNT_CLOSED = "account_closed"
    STOP_PAYMENT = "stop_payment"
    REFER_TO_MAKER = "refer_to_maker"  # the bank will not say why: ask the payer

    @property
    def label(self) -> str:
        return CHECK_RETURN_LABELS[self]


CHECK_RETURN_LABELS = {
    CheckReturnReason.NSF: "Not sufficient funds",
    CheckReturnReason.ACCOUNT_CLOSED: "Account closed",
    CheckReturnReason.STOP_PAYMENT: "Payment stopped by the maker",
    CheckReturnReason.REFER_TO_MAKER: "Refer to maker",
}


@dataclass(frozen=True)
class RepresentDecision:
    allowed: bool
    reason: str  # why not, for the screen; "" when allowed


def represent_allowed(
    *, code: str, times_represented: int, original_settlement_date: date, today: date
) -> RepresentDecision:
    """May a returned ACH debit be sent again today?"""
    reason = ach_return_reason(code)
    if not reason.may_represent:
        message = MSG_NOT_REPRESENTABLE.format(code=reason.code, title=reason.title)
        return RepresentDecision(False, message)
    if times_represented >= MAX_REPRESENTMENTS:
        return RepresentDecision(False, MSG_TOO_MANY.format(times=times_represented))
    if today - original_settlement_date > REPRESENT_WINDOW:
        settled = original_settlement_date.isoformat()
        return RepresentDecision(False, MSG_TOO_LATE.format(settled=settled))
    return RepresentDecision(True, "")


def twelve_months_before(as_of: date) -> date:
    """The same day a year earlier (29 February falls back to the 28th)."""
    try:
        return as_of.replace(year=as_of.year - 1)
    except ValueError:
        return as_of.replace(year=as_of.year - 1, day=28)


def returns_in_last_12_months(return_dates: Iterable[date], *, as_of: date) -> int:
    """Returns dated after the same day last year, up to and including ``as_of``."""
    start = twelve_months_before(as_of)
    return sum(1 for d in return_dates if start < d <= as_of)


def cash_only_due(returns_in_last_12_months: int, threshold: int) -> bool:
    """True once the account has had ``threshold`` or more counted returns in 12 months."""
    if threshold < 1:
        raise PaymentRuleError("bad_threshold", MSG_BAD_THRESHOLD)
    if returns_in_last_12_months < 0:
        raise PaymentRuleError("negative_returns", MSG_NEGATIVE_RETURNS)
    return returns_in_last_12_months >= threshold
