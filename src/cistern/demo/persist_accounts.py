"""Write the planned accounts and everything hanging off them, with bulk inserts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

from cistern.core.models import Sequence
from cistern.core.numbering import ACCOUNT_SEQUENCE
from cistern.customers.models import (
    Account,
    AccountFlag,
    AccountService,
    ContactLogEntry,
    SecondaryBillTo,
)
from cistern.demo.domain.plan import DistrictPlan
from cistern.demo.persist import Ids, at_office_time, next_id, raw_insert


def accounts_write(
    plan: DistrictPlan, ids: Ids, *, staff_ids: dict[str, int], zone: ZoneInfo
) -> dict[str, int]:
    ids.account_base = next_id(Account)
    accounts = (
        (
            ids.account(i),
            a.number,
            ids.customer(a.customer),
            ids.premise(a.premise),
            a.status,
            a.start_date,
            a.end_date,
        )
        for i, a in enumerate(plan.accounts)
    )
    columns = ("id", "number", "customer_id", "premise_id", "status", "start_date", "end_date")
    return {
        "accounts": raw_insert(Account, columns, accounts),
        "services": raw_insert(
            AccountService,
            ("account_id", "service", "started_on", "ended_on"),
            _services(plan, ids),
        ),
        "flags": raw_insert(
            AccountFlag,
            ("account_id", "kind", "set_on", "evidence_type", "evidence_date", "note"),
            _flags(plan, ids),
        ),
        "secondary_bill_tos": raw_insert(SecondaryBillTo, _BILL_TO_COLUMNS, _bill_tos(plan, ids)),
        "contacts": raw_insert(
            ContactLogEntry,
            ("account_id", "channel", "direction", "summary", "staff_id", "occurred_at"),
            _contacts(plan, ids, staff_ids, zone),
        ),
    }


def _services(plan: DistrictPlan, ids: Ids) -> Iterator[tuple]:
    for i, a in enumerate(plan.accounts):
        for service in a.services:
            yield (ids.account(i), service, a.start_date, a.end_date)


def _flags(plan: DistrictPlan, ids: Ids) -> Iterator[tuple]:
    for i, a in enumerate(plan.accounts):
        for f in a.flags:
            yield (ids.account(i), f.kind, f.set_on, f.evidence_type, f.evidence_date, f.note)


_BILL_TO_COLUMNS = (
    "account_id",
    "name",
    "line1",
    "line2",
    "city",
    "state",
    "postal_code",
    "email",
    "added_on",
)


def _bill_tos(plan: DistrictPlan, ids: Ids) -> Iterator[tuple]:
    for i, a in enumerate(plan.accounts):
        for b in a.bill_tos:
            address = b.address
            yield (
                ids.account(i),
                b.name,
                address.line1,
                address.line2,
                address.city,
                address.state,
                address.postal_code,
                b.email,
                b.added_on,
            )


def _contacts(
    plan: DistrictPlan, ids: Ids, staff_ids: dict[str, int], zone: ZoneInfo
) -> Iterator[tuple]:
    for i, a in enumerate(plan.accounts):
        for c in a.contacts:
            day = plan.today - timedelta(days=c.days_ago)
            when = at_office_time(day, zone, c.minute_of_day)
            yield (
                ids.account(i),
                c.channel,
                c.direction,
                c.summary,
                staff_ids[c.staff_username],
                when,
            )


def account_sequence_advance(*, last_value: int) -> None:
    """Leave the account-number sequence at the last number used, so services continue it."""
    Sequence.objects.update_or_create(name=ACCOUNT_SEQUENCE, defaults={"last_value": last_value})
