"""The account page's reads: everything a CSR needs at a glance, in a handful of queries.

Balance, past-due amount, aging and recent activity come from the ledger's selectors
(the ledger is the only source of money figures); the rest from the customer records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from cistern.core.models import AuditEvent
from cistern.customers.models import (
    Account,
    AccountFlag,
    AccountService,
    ContactLogEntry,
    CustomerEmail,
    CustomerPhone,
    MailingAddress,
    SecondaryBillTo,
)
from cistern.ledger.selectors import (
    Aging,
    PostingRow,
    account_aging,
    account_balance_cents,
    account_recent_postings,
)
from cistern.metering.models import MeterInstallation

RECENT_CONTACTS = 15
RECENT_POSTINGS = 10
FLAG_SEVERITY = {  # badge colour: holds that stop collection work are "warn", risks "bad"
    "medical": "warn",
    "low_income": "ok",
    "bankruptcy": "bad",
    "do_not_disconnect": "warn",
    "cash_only": "bad",
    "paperless": "",
    "landlord": "",
}


@dataclass
class AccountPage:
    """What the account page shows. Money in cents."""

    account: Account
    balance_cents: int
    aging: Aging
    postings: list[PostingRow]
    meter_installation: MeterInstallation | None
    services: list[AccountService]
    flags: list[AccountFlag]
    phones: list[CustomerPhone]
    emails: list[CustomerEmail]
    mailing_address: MailingAddress | None
    mailing_history: list[MailingAddress]
    bill_tos: list[SecondaryBillTo]
    removed_bill_tos: list[SecondaryBillTo]
    contacts: list[ContactLogEntry] = field(default_factory=list)

    @property
    def flag_badges(self) -> list[tuple[str, str]]:
        return [(f.get_kind_display(), FLAG_SEVERITY.get(f.kind, "")) for f in self.flags]

    @property
    def status_badge(self) -> str:
        return {"active": "ok", "pending": "", "final": "warn", "closed": ""}.get(
            self.account.status, "bad"
        )


def account_by_number(*, number: str) -> Account | None:
    """The account with this number (spaces and dashes ignored), or None."""
    cleaned = "".join(ch for ch in (number or "") if ch.isalnum())[:20]
    if not cleaned:
        return None
    return Account.objects.select_related("customer", "premise").filter(number=cleaned).first()


def contact_log_recent(*, account_id: int, limit: int = RECENT_CONTACTS) -> list[ContactLogEntry]:
    return list(
        ContactLogEntry.objects.filter(account_id=account_id).select_related("staff")[:limit]
    )


def account_page_get(
    *, number: str, as_of: date, postings_limit: int = RECENT_POSTINGS
) -> AccountPage | None:
    """Everything the account page shows, or None for an unknown account number."""
    account = account_by_number(number=number)
    if account is None:
        return None
    customer_id, premise_id = account.customer_id, account.premise_id
    addresses = list(MailingAddress.objects.filter(customer_id=customer_id))
    bill_tos = list(SecondaryBillTo.objects.filter(account=account))
    return AccountPage(
        account=account,
        balance_cents=account_balance_cents(account_id=account.pk),
        aging=account_aging(account_id=account.pk, as_of=as_of),
        postings=account_recent_postings(account_id=account.pk, limit=postings_limit),
        meter_installation=MeterInstallation.objects.select_related("meter")
        .filter(premise_id=premise_id, removed_on__isnull=True)
        .first(),
        services=list(account.services.filter(ended_on__isnull=True)),
        flags=list(account.flags.filter(cleared_on__isnull=True)),
        phones=list(CustomerPhone.objects.filter(customer_id=customer_id)),
        emails=list(CustomerEmail.objects.filter(customer_id=customer_id)),
        mailing_address=next((a for a in addresses if a.valid_to is None), None),
        mailing_history=[a for a in addresses if a.valid_to is not None],
        bill_tos=[b for b in bill_tos if b.removed_on is None],
        removed_bill_tos=[b for b in bill_tos if b.removed_on is not None],
        contacts=contact_log_recent(account_id=account.pk),
    )


def account_audit_events(*, account: Account, limit: int = 200) -> QuerySet[AuditEvent]:
    """The audit trail of this account: its own events and its customer's."""
    from django.db.models import Q

    return (
        AuditEvent.objects.filter(
            Q(account_id=account.pk)
            | Q(subject_type="customers.Customer", subject_id=str(account.customer_id))
        )
        .select_related("actor")
        .order_by("-occurred_at", "-id")[:limit]
    )


def accounts_by_numbers(numbers: list[str]) -> list[Account]:
    """Accounts in the order of ``numbers`` (for the recently viewed list)."""
    found = Account.objects.select_related("customer", "premise").in_bulk(
        numbers, field_name="number"
    )
    return [found[n] for n in numbers if n in found]
