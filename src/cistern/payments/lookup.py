"""Finding the account a payment is for: by account number, or by the bill stub's scan line.

A scan line (18 digits, spaces and dashes ignored) must pass both check digits
(``domain/scan_line.py``); a wrong digit is refused with the reason, never guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from cistern.core.errors import ServiceError
from cistern.customers.models import Account, AccountFlag, FlagKind
from cistern.payments.domain import ScanLineError, scan_line_parse
from cistern.payments.domain.scan_line import SCAN_LINE_LENGTH, scan_line_normalize

ACCOUNT_NOT_FOUND = "No account has the number “{number}”. Check it or search by name or address."
ACCOUNT_REQUIRED = "Enter the account number or scan the bill stub."


@dataclass(frozen=True)
class FoundAccount:
    account: Account
    amount_due_cents: int | None  # from the scan line, when found by one


def looks_like_scan_line(text: str) -> bool:
    cleaned = scan_line_normalize(text)
    return len(cleaned) >= SCAN_LINE_LENGTH - 2 or (" " in text.strip() and len(cleaned) > 12)


def account_find_for_payment(*, text: str, field: str = "account") -> FoundAccount:
    """The account named by ``text`` (an account number or a scan line), or ServiceError."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise ServiceError(_(ACCOUNT_REQUIRED), field=field)
    amount_due = None
    number = cleaned
    if looks_like_scan_line(cleaned):
        try:
            scan = scan_line_parse(cleaned)
        except ScanLineError as exc:
            raise ServiceError(_(exc.message), field=field) from exc
        number, amount_due = scan.account_number, scan.amount_due_cents
    account = Account.objects.filter(number=number).first()
    if account is None:
        raise ServiceError(_(ACCOUNT_NOT_FOUND).format(number=number), field=field)
    return FoundAccount(account=account, amount_due_cents=amount_due)


def cash_only_flag(*, account_id: int) -> AccountFlag | None:
    """The account's open cash-only flag, if any (the counter then refuses checks)."""
    return AccountFlag.objects.filter(
        account_id=account_id, kind=FlagKind.CASH_ONLY, cleared_on__isnull=True
    ).first()
