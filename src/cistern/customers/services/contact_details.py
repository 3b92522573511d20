"""A customer's phones and e-mail addresses: add, update, remove, with one primary of each.

Phones are stored as their 10 digits. The first phone (or e-mail) a customer gets is the
primary; making another primary takes it from the old one; removing the primary hands it
to the next in line. Removal deletes the row: the audit trail keeps what it was.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.domain.contact_details import phone_digits
from cistern.customers.models import Customer, CustomerEmail, CustomerPhone
from cistern.customers.search_index import search_documents_refresh_for_customer
from cistern.customers.services.locks import customer_lock

PHONE_INVALID = _("Enter a 10-digit phone number with area code, for example (530) 555-0142.")
PHONE_KIND_INVALID = _("Choose mobile, home, work or other.")
PHONE_DUPLICATE = _("This customer already has that phone number.")
PHONE_NOT_FOUND = _("That phone number is no longer on file. Reload the page.")
EMAIL_INVALID = _("Enter an e-mail address like name@example.com.")
EMAIL_DUPLICATE = _("This customer already has that e-mail address.")
EMAIL_NOT_FOUND = _("That e-mail address is no longer on file. Reload the page.")


def _checked_phone(number: str, kind: str) -> str:
    digits = phone_digits(number)
    if digits is None:
        raise ServiceError(str(PHONE_INVALID), field="number")
    if kind not in CustomerPhone.Kind.values:
        raise ServiceError(str(PHONE_KIND_INVALID), field="kind")
    return digits


def _checked_email(address: str) -> str:
    cleaned = (address or "").strip().lower()
    try:
        validate_email(cleaned)
    except ValidationError as exc:
        raise ServiceError(str(EMAIL_INVALID), field="address") from exc
    return cleaned


def phone_add(
    customer: Customer, *, number: str, kind: str, actor: Any, is_primary: bool = False
) -> CustomerPhone:
    """Add a phone to a customer already locked by the caller (no audit: the caller records it)."""
    digits = _checked_phone(number, kind)
    if customer.phones.filter(number=digits).exists():
        raise ServiceError(str(PHONE_DUPLICATE), field="number")
    primary = is_primary or not customer.phones.exists()
    if primary:
        customer.phones.update(is_primary=False)
    return CustomerPhone.objects.create(
        customer=customer, number=digits, kind=kind, is_primary=primary
    )


def email_add(
    customer: Customer, *, address: str, actor: Any, is_primary: bool = False
) -> CustomerEmail:
    """Add an e-mail to a customer the caller has locked (no audit: the caller records it)."""
    cleaned = _checked_email(address)
    if customer.emails.filter(address=cleaned).exists():
        raise ServiceError(str(EMAIL_DUPLICATE), field="address")
    primary = is_primary or not customer.emails.exists()
    if primary:
        customer.emails.update(is_primary=False)
    return CustomerEmail.objects.create(customer=customer, address=cleaned, is_primary=primary)


def _phone_state(phone: CustomerPhone) -> dict[str, Any]:
    return {"id": phone.pk, "number": phone.number, "kind": phone.kind, "primary": phone.is_primary}


def _email_state(email: CustomerEmail) -> dict[str, Any]:
    return {"id": email.pk, "address": email.address, "primary": email.is_primary}


def _record(actor: Any, action: str, customer: Customer, account_id: int | None, **kw: Any) -> None:
    audit_record(actor=actor, action=action, subject=customer, account_id=account_id, **kw)
    search_documents_refresh_for_customer(customer_id=customer.id)


def customer_phone_add(
    *,
    customer_id: int,
    number: str,
    kind: str = CustomerPhone.Kind.MOBILE,
    is_primary: bool = False,
    actor: Any,
    account_id: int | None = None,
) -> CustomerPhone:
    with transaction.atomic():
        customer = customer_lock(customer_id)
        phone = phone_add(customer, number=number, kind=kind, is_primary=is_primary, actor=actor)
        _record(actor, "customer.phone.add", customer, account_id, after=_phone_state(phone))
    return phone


def _promote_first(queryset: Any) -> None:
    if not queryset.filter(is_primary=True).exists():
        first = queryset.order_by("id").first()
        if first is not None:
            queryset.filter(pk=first.pk).update(is_primary=True)


def customer_phone_update(
    *,
    phone_id: int,
    number: str,
    kind: str,
    is_primary: bool,
    actor: Any,
    account_id: int | None = None,
) -> CustomerPhone:
    """Change a phone's number, kind or primary mark."""
    with transaction.atomic():
        phone = CustomerPhone.objects.filter(pk=phone_id).first()
        if phone is None:
            raise ServiceError(str(PHONE_NOT_FOUND))
        customer = customer_lock(phone.customer_id)
        phone = CustomerPhone.objects.select_for_update().get(pk=phone_id)
        before = _phone_state(phone)
        digits = _checked_phone(number, kind)
        if customer.phones.filter(number=digits).exclude(pk=phone.pk).exists():
            raise ServiceError(str(PHONE_DUPLICATE), field="number")
        if is_primary:
            customer.phones.exclude(pk=phone.pk).update(is_primary=False)
        phone.number, phone.kind, phone.is_primary = digits, kind, is_primary
        phone.save(update_fields=["number", "kind", "is_primary"])
        _promote_first(customer.phones.all())
        phone.refresh_from_db()
        _record(
            actor,
            "customer.phone.update",
            customer,
            account_id,
            before=before,
            after=_phone_state(phone),
        )
    return phone


def customer_phone_remove(*, phone_id: int, actor: Any, account_id: int | None = None) -> None:
    with transaction.atomic():
        phone = CustomerPhone.objects.filter(pk=phone_id).first()
        if phone is None:
            raise ServiceError(str(PHONE_NOT_FOUND))
        customer = customer_lock(phone.customer_id)
        before = _phone_state(phone)
        phone.delete()
        _promote_first(customer.phones.all())
        _record(actor, "customer.phone.remove", customer, account_id, before=before)


def customer_email_add(
    *,
    customer_id: int,
    address: str,
    is_primary: bool = False,
    actor: Any,
    account_id: int | None = None,
) -> CustomerEmail:
    with transaction.atomic():
        customer = customer_lock(customer_id)
        email = email_add(customer, address=address, is_primary=is_primary, actor=actor)
        _record(actor, "customer.email.add", customer, account_id, after=_email_state(email))
    return email


def customer_email_update(
    *, email_id: int, address: str, is_primary: bool, actor: Any, account_id: int | None = None
) -> CustomerEmail:
    with transaction.atomic():
        email = CustomerEmail.objects.filter(pk=email_id).first()
        if email is None:
            raise ServiceError(str(EMAIL_NOT_FOUND))
        customer = customer_lock(email.customer_id)
        email = CustomerEmail.objects.select_for_update().get(pk=email_id)
        before = _email_state(email)
        cleaned = _checked_email(address)
        if customer.emails.filter(address=cleaned).exclude(pk=email.pk).exists():
            raise ServiceError(str(EMAIL_DUPLICATE), field="address")
        if is_primary:
            customer.emails.exclude(pk=email.pk).update(is_primary=False)
        email.address, email.is_primary = cleaned, is_primary
        email.save(update_fields=["address", "is_primary"])
        _promote_first(customer.emails.all())
        email.refresh_from_db()
        _record(
            actor,
            "customer.email.update",
            customer,
            account_id,
            before=before,
            after=_email_state(email),
        )
    return email


def customer_email_remove(*, email_id: int, actor: Any, account_id: int | None = None) -> None:
    with transaction.atomic():
        email = CustomerEmail.objects.filter(pk=email_id).first()
        if email is None:
            raise ServiceError(str(EMAIL_NOT_FOUND))
        customer = customer_lock(email.customer_id)
        before = _email_state(email)
        email.delete()
        _promote_first(customer.emails.all())
        _record(actor, "customer.email.remove", customer, account_id, before=before)
