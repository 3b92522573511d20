"""Creating customers and keeping their mailing address (with its history) and returned-mail flag.

A mailing address is never edited in place: an update closes the current row
(``valid_to``) and opens a new one, so the history of where mail went is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.domain.contact_details import Address
from cistern.customers.models import Customer, Language, MailingAddress
from cistern.customers.search_index import search_documents_refresh_for_customer
from cistern.customers.services.addresses import address_checked
from cistern.customers.services.contact_details import email_add, phone_add
from cistern.customers.services.locks import customer_lock

CUSTOMER_KIND_INVALID = _("Choose whether the customer is a person or an organization.")
CUSTOMER_LAST_NAME_MISSING = _("Enter the customer's last name.")
CUSTOMER_ORGANIZATION_NAME_MISSING = _("Enter the organization's name.")
CUSTOMER_NAME_TOO_LONG = _("Names are limited to 80 characters (organizations 200).")
CUSTOMER_LANGUAGE_INVALID = _("Choose one of the listed languages.")
MAILING_ADDRESS_UNCHANGED = _(
    "That is already the mailing address on file. Change it, or cancel if nothing moved."
)
MAILING_ADDRESS_REASON_MISSING = _(
    "Say why the address is changing (for example “customer called: moved”)."
)
RETURNED_MAIL_DATE_IN_FUTURE = _(
    "The mail cannot come back on a future date. Enter today or earlier."
)


@dataclass(frozen=True)
class PhoneInput:
    number: str
    kind: str = "mobile"


def _display_name(kind: str, first: str, last: str, organization: str) -> str:
    if kind == Customer.Kind.ORGANIZATION:
        return organization
    return f"{last}, {first}" if first else last


def _check_names(*, kind: str, first: str, last: str, organization: str, language: str) -> None:
    if kind not in Customer.Kind.values:
        raise ServiceError(str(CUSTOMER_KIND_INVALID), field="kind")
    if kind == Customer.Kind.PERSON and not last:
        raise ServiceError(str(CUSTOMER_LAST_NAME_MISSING), field="last_name")
    if kind == Customer.Kind.ORGANIZATION and not organization:
        raise ServiceError(str(CUSTOMER_ORGANIZATION_NAME_MISSING), field="organization_name")
    if len(first) > 80 or len(last) > 80 or len(organization) > 200:
        raise ServiceError(str(CUSTOMER_NAME_TOO_LONG), field="last_name")
    if language not in Language.values:
        raise ServiceError(str(CUSTOMER_LANGUAGE_INVALID), field="preferred_language")


def customer_create(
    *,
    kind: str = Customer.Kind.PERSON,
    first_name: str = "",
    last_name: str = "",
    organization_name: str = "",
    preferred_language: str = Language.ENGLISH,
    phones: Sequence[PhoneInput] = (),
    emails: Sequence[str] = (),
    mailing_address: Address | None = None,
    actor: Any,
) -> Customer:
    """A new customer with their phones (first is primary), e-mails and mailing address."""
    first, last, org = (" ".join(n.split()) for n in (first_name, last_name, organization_name))
    _check_names(kind=kind, first=first, last=last, organization=org, language=preferred_language)
    address = address_checked(mailing_address) if mailing_address else None
    with transaction.atomic():
        customer = Customer.objects.create(
            kind=kind,
            first_name=first if kind == Customer.Kind.PERSON else "",
            last_name=last if kind == Customer.Kind.PERSON else "",
            organization_name=org if kind == Customer.Kind.ORGANIZATION else "",
            display_name=_display_name(kind, first, last, org),
            preferred_language=preferred_language,
        )
        if address is not None:
            _address_open(customer, address, actor=actor)
        for phone in phones:
            phone_add(customer, number=phone.number, kind=phone.kind, actor=actor)
        for email in emails:
            email_add(customer, address=email, actor=actor)
        audit_record(
            actor=actor,
            action="customer.create",
            subject=customer,
            after={
                "display_name": customer.display_name,
                "kind": kind,
                "preferred_language": preferred_language,
                "mailing_address": address.as_dict() if address else None,
                "phones": list(customer.phones.values_list("number", flat=True)),
                "emails": list(customer.emails.values_list("address", flat=True)),
            },
        )
    return customer


def _address_open(customer: Customer, address: Address, *, actor: Any) -> MailingAddress:
    return MailingAddress.objects.create(
        customer=customer,
        **address.as_dict(),
        valid_from=timezone.now(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )


def _address_of(row: MailingAddress | None) -> dict[str, str] | None:
    if row is None:
        return None
    return Address(
        row.line1, row.city, row.state, row.postal_code, row.line2, row.country
    ).as_dict()


def customer_mailing_address_update(
    *,
    customer_id: int,
    address: Address,
    reason: str,
    actor: Any,
    account_id: int | None = None,
) -> MailingAddress:
    """Close the current mailing address and open ``address``; the old one stays in history.

    A new address also clears the returned-mail flag: mail goes somewhere new now.
    """
    normal = address_checked(address)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError(str(MAILING_ADDRESS_REASON_MISSING), field="reason")
    with transaction.atomic():
        customer = customer_lock(customer_id)
        current = customer.mailing_addresses.filter(valid_to__isnull=True).first()
        before = _address_of(current)
        if before == normal.as_dict():
            raise ServiceError(str(MAILING_ADDRESS_UNCHANGED), field="line1")
        now = timezone.now()
        if current is not None:
            current.valid_to = now
            current.save(update_fields=["valid_to"])
        new = _address_open(customer, normal, actor=actor)
        was_returned = customer.returned_mail
        if was_returned:
            customer.returned_mail = False
            customer.save(update_fields=["returned_mail"])
        audit_record(
            actor=actor,
            action="customer.mailing_address.update",
            subject=customer,
            before={"mailing_address": before, "returned_mail": was_returned},
            after={"mailing_address": normal.as_dict(), "returned_mail": False},
            reason=reason,
            account_id=account_id,
        )
        search_documents_refresh_for_customer(customer_id=customer.id)
    return new


def customer_returned_mail_mark(
    *,
    customer_id: int,
    returned_on: date | None = None,
    actor: Any,
    reason: str = "",
    account_id: int | None = None,
) -> Customer:
    """Flag that mail to the current address came back (until the address is updated)."""
    today = timezone.localdate()
    returned_on = returned_on or today
    if returned_on > today:
        raise ServiceError(str(RETURNED_MAIL_DATE_IN_FUTURE), field="returned_on")
    with transaction.atomic():
        customer = customer_lock(customer_id)
        before = {
            "returned_mail": customer.returned_mail,
            "returned_mail_on": customer.returned_mail_on,
        }
        customer.returned_mail = True
        customer.returned_mail_on = returned_on
        customer.save(update_fields=["returned_mail", "returned_mail_on"])
        audit_record(
            actor=actor,
            action="customer.returned_mail.mark",
            subject=customer,
            before=before,
            after={"returned_mail": True, "returned_mail_on": returned_on},
            reason=reason,
            account_id=account_id,
        )
        search_documents_refresh_for_customer(customer_id=customer.id)
    return customer
