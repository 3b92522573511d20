"""A small cast for payments tests: accounts with valid numbers and lockbox items."""

from datetime import date

from cistern.core.domain.check_digit import with_check_digit
from cistern.payments.domain.lockbox import LockboxItem, lockbox_write
from cistern.payments.domain.scan_line import scan_line_build, scan_line_parse

# Account numbers as core/numbering.py issues them: 1000000 + n, plus a Luhn digit.
ALVAREZ = with_check_digit("1000001")  # 10000016
BAKER = with_check_digit("1000002")
CHEN = with_check_digit("1000003")
DEPOSIT_DAY = date(2025, 3, 14)


def stub(account: str, amount_due_cents: int) -> str:
    return scan_line_build(account, amount_due_cents)


def item(
    sequence: int,
    *,
    account: str = ALVAREZ,
    due_cents: int = 12_345,
    paid_cents: int = 12_345,
    check: str = "",
    payer: str = "Maria Alvarez",
    batch: str = "LB0314",
    deposit_date: date = DEPOSIT_DAY,
) -> LockboxItem:
    return LockboxItem(
        batch_id=batch,
        item_sequence=sequence,
        scan_line=scan_line_parse(stub(account, due_cents)),
        amount_paid_cents=paid_cents,
        check_number=check or str(1000 + sequence),
        payer_name=payer,
        deposit_date=deposit_date,
    )


def three_items() -> list[LockboxItem]:
    return [
        item(1, account=ALVAREZ, due_cents=12_345, paid_cents=12_345, payer="Maria Alvarez"),
        item(2, account=BAKER, due_cents=8_000, paid_cents=10_000, payer="Baker, Tom"),
        item(3, account=CHEN, due_cents=14_690, paid_cents=14_690, payer='Li "Lily" Chen'),
    ]


def good_file() -> bytes:
    return lockbox_write(three_items())
