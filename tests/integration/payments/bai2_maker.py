"""Realistic BAI2 prior-day files for tests, written with the ``bai2`` library's own writer.

``bai2_file(credits=[Credit(...)], as_of=date(...))`` gives the bytes a bank would send: a
file header (01), one group (02) per as-of date, one account (03) with opening/closing
ledger summaries and the detail records (16), and trailers (49, 98, 99) whose control totals
and record counts the writer computes. ``with_bad_file_total`` breaks the 99 record.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, time

from bai2 import bai2 as bai2_api
from bai2.constants import AsOfDateModifier, FundsType, GroupStatus, TypeCodes
from bai2.models import (
    Account,
    AccountIdentifier,
    Bai2File,
    Bai2FileHeader,
    Group,
    GroupHeader,
    Summary,
    TransactionDetail,
)

DISTRICT_ACCOUNT = "0012345678"
BANK_ID = "121000358"
DISTRICT_ID = "CISTERNWD"


@dataclass(frozen=True)
class Credit:
    amount_cents: int
    type_code: str = "301"  # commercial deposit; "115" lockbox, "147" card, "165" ACH
    bank_reference: str = ""
    customer_reference: str = ""
    text: str = "DEPOSIT"
    as_of: date | None = None  # defaults to the file's as-of date


def _detail(c: Credit) -> TransactionDetail:
    return TransactionDetail(
        type_code=TypeCodes[c.type_code],
        amount=c.amount_cents,
        funds_type=FundsType.one_day_availability,
        availability=OrderedDict(),
        bank_reference=c.bank_reference,
        customer_reference=c.customer_reference,
        text=c.text,
    )


def _account(details: list[TransactionDetail], opening_cents: int) -> Account:
    credits = sum(d.amount for d in details if d.type_code.transaction.value == "credit")
    summaries = [
        Summary(
            type_code=TypeCodes["010"],
            amount=opening_cents,
            funds_type=FundsType.unknown_availability,
        ),
        Summary(
            type_code=TypeCodes["015"],
            amount=opening_cents + credits,
            funds_type=FundsType.unknown_availability,
        ),
        Summary(
            type_code=TypeCodes["100"],
            amount=credits,
            item_count=len(details),
            funds_type=FundsType.unknown_availability,
        ),
    ]
    header = AccountIdentifier(
        customer_account_number=DISTRICT_ACCOUNT, currency="USD", summary_items=summaries
    )
    return Account(header=header, children=details)


def bai2_text(
    *, credits: list[Credit], as_of: date, debits: list[Credit] = (), file_id: str = "1"
) -> str:
    days = sorted({c.as_of or as_of for c in credits} | {as_of})
    groups = []
    for day in days:
        details = [_detail(c) for c in credits if (c.as_of or as_of) == day]
        details += [_detail(d) for d in debits if day == as_of]
        header = GroupHeader(
            ultimate_receiver_id=DISTRICT_ID,
            originator_id=BANK_ID,
            group_status=GroupStatus.update,
            as_of_date=day,
            as_of_time=time(23, 59),
            currency="USD",
            as_of_date_modifier=AsOfDateModifier.final_previous_day,
        )
        groups.append(Group(header=header, children=[_account(details, 10_000_000)]))
    header = Bai2FileHeader(
        sender_id=BANK_ID,
        receiver_id=DISTRICT_ID,
        creation_date=days[-1],
        creation_time=time(6, 15),
        file_id=file_id,
        physical_record_length=80,
        block_size=1,
    )
    return bai2_api.write(Bai2File(header=header, children=groups)) + "\n"


def bai2_file(**kwargs) -> bytes:
    return bai2_text(**kwargs).encode("ascii")


def with_bad_file_total(data: bytes) -> bytes:
    """The same file with the 99 record's control total off by one cent."""
    lines = data.decode("ascii").splitlines()
    code, total, *rest = lines[-1].split(",")
    lines[-1] = ",".join([code, str(int(total) + 1), *rest])
    return ("\n".join(lines) + "\n").encode("ascii")


def with_bad_account_total(data: bytes) -> bytes:
    lines = data.decode("ascii").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("49,"))
    code, total, rest = lines[index].split(",", 2)
    lines[index] = f"{code},{int(total) + 100},{rest}"
    return ("\n".join(lines) + "\n").encode("ascii")
