"""Read a BAI2 prior-day file with the ``bai2`` library; hand back Cistern's dataclasses.

What we read (docs/reference/bank-files.md): the file header (01: sender, file id,
creation date), each group's as-of date (02), each account's number (03) and its
transaction details (16) whose BAI type code is a credit: type code, amount (cents, as
BAI2 carries it), bank reference, customer reference and text. Debits and summaries are
not reconciled here.

The library checks the control totals and record counts of every account (49), group (98)
and file (99) trailer; any failure, or any malformed record, refuses the whole file with
the reason (``Bai2Refused``). Nothing else in Cistern imports ``bai2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bai2 import bai2 as bai2_api
from bai2.constants import TypeCodeLevel, TypeCodeTransaction
from bai2.exceptions import IntegrityException, NotSupportedYetException, ParsingException

MSG_NOT_TEXT = "The file is not plain ASCII text; ask the bank for the BAI2 file itself."
MSG_EMPTY = "The file is empty."
MSG_CONTROL = "The file's control totals do not add up ({detail}); ask the bank to resend it."
MSG_UNSUPPORTED = "The file uses something this reader does not support ({detail})."
MSG_MALFORMED = "The file is not a well-formed BAI2 file ({detail})."


class Bai2Refused(ValueError):
    """The whole file is refused; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Bai2Credit:
    bank_account: str
    as_of_date: date
    type_code: str  # the BAI type code, e.g. "301" commercial deposit, "115" lockbox
    type_description: str
    amount_cents: int
    bank_reference: str
    customer_reference: str
    text: str


@dataclass(frozen=True)
class Bai2Statement:
    sender_id: str
    receiver_id: str
    file_id: str
    creation_date: date
    as_of_dates: tuple[date, ...]
    bank_accounts: tuple[str, ...]
    credits: tuple[Bai2Credit, ...]


def _decode(data: bytes) -> str:
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as error:
        raise Bai2Refused(MSG_NOT_TEXT) from error
    if not text.strip():
        raise Bai2Refused(MSG_EMPTY)
    return text


def _parse(text: str):  # -> bai2.models.Bai2File
    try:
        return bai2_api.parse_from_string(text, check_integrity=True)
    except IntegrityException as error:
        raise Bai2Refused(MSG_CONTROL.format(detail=error)) from error
    except NotSupportedYetException as error:
        raise Bai2Refused(MSG_UNSUPPORTED.format(detail=error)) from error
    except (ParsingException, ValueError, IndexError, KeyError, StopIteration) as error:
        raise Bai2Refused(MSG_MALFORMED.format(detail=error or type(error).__name__)) from error


def _is_credit(detail) -> bool:
    code = detail.type_code
    return code.transaction == TypeCodeTransaction.credit and code.level == TypeCodeLevel.detail


def bai2_read(data: bytes) -> Bai2Statement:
    """Parse and check ``data``; raise ``Bai2Refused`` for anything wrong with the file."""
    parsed = _parse(_decode(data))
    if any(group.header.as_of_date is None for group in parsed.children):
        raise Bai2Refused(MSG_MALFORMED.format(detail="a group (02) has no as-of date"))
    credits: list[Bai2Credit] = []
    as_of: list[date] = []
    accounts: list[str] = []
    for group in parsed.children:
        as_of.append(group.header.as_of_date)
        for account in group.children:
            number = account.header.customer_account_number or ""
            accounts.append(number)
            credits.extend(
                Bai2Credit(
                    bank_account=number,
                    as_of_date=group.header.as_of_date,
                    type_code=d.type_code.code,
                    type_description=d.type_code.description,
                    amount_cents=int(d.amount or 0),
                    bank_reference=d.bank_reference or "",
                    customer_reference=d.customer_reference or "",
                    text=(d.text or "").strip(),
                )
                for d in account.children
                if _is_credit(d)
            )
    header = parsed.header
    return Bai2Statement(
        sender_id=header.sender_id or "",
        receiver_id=header.receiver_id or "",
        file_id=header.file_id or "",
        creation_date=header.creation_date,
        as_of_dates=tuple(sorted(set(as_of))),
        bank_accounts=tuple(accounts),
        credits=tuple(credits),
    )
