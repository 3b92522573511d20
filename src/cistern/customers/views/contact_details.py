"""Editing a customer's phones and e-mail addresses, from the account they called about.

One page lists every phone and e-mail with a small form each (prefix ``phone-<id>``,
``email-<id>``) plus an "add" form. Every form posts to its own URL and one service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cistern.core.errors import ServiceError
from cistern.customers.forms import EmailForm, PhoneForm, add_service_error
from cistern.customers.models import Account, CustomerEmail, CustomerPhone
from cistern.customers.services import (
    customer_email_add,
    customer_email_remove,
    customer_email_update,
    customer_phone_add,
    customer_phone_remove,
    customer_phone_update,
)
from cistern.customers.views.common import account_or_404
from cistern.staff.permissions import Action, action_required


def _page(
    request: HttpRequest,
    account: Account,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The contact-details page; ``bound`` replaces one form (by prefix) with the failed one."""
    bound = bound or {}
    phones = []
    for phone in CustomerPhone.objects.filter(customer_id=account.customer_id):
        prefix = f"phone-{phone.pk}"
        initial = {"number": phone.number, "kind": phone.kind, "is_primary": phone.is_primary}
        phones.append((phone, bound.get(prefix) or PhoneForm(prefix=prefix, initial=initial)))
    emails = []
    for email in CustomerEmail.objects.filter(customer_id=account.customer_id):
        prefix = f"email-{email.pk}"
        initial = {"address": email.address, "is_primary": email.is_primary}
        emails.append((email, bound.get(prefix) or EmailForm(prefix=prefix, initial=initial)))
    context = {
        "account": account,
        "phones": phones,
        "emails": emails,
        "new_phone": bound.get("phone-new") or PhoneForm(prefix="phone-new"),
        "new_email": bound.get("email-new") or EmailForm(prefix="email-new"),
    }
    return render(request, "customers/contact_details.html", context, status=status)


def _submit(
    request: HttpRequest,
    number: str,
    form_class: type,
    prefix: str,
    call: Callable[[Account, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    found = account_or_404(request, number)
    if not isinstance(found, Account):
        return found
    if request.method != "POST":
        return redirect("customers:contact_details", number=found.number)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            call(found, form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect("customers:contact_details", number=found.number)
    return _page(request, found, bound={prefix: form}, status=422)


@action_required(Action.CUSTOMER_CONTACT_EDIT)
def contact_details(request: HttpRequest, number: str) -> HttpResponse:
    found = account_or_404(request, number)
    return found if not isinstance(found, Account) else _page(request, found)


@action_required(Action.CUSTOMER_CONTACT_EDIT)
def phone_add(request: HttpRequest, number: str) -> HttpResponse:
    def call(account: Account, data: dict[str, Any]) -> object:
        return customer_phone_add(
            customer_id=account.customer_id, actor=request.user, account_id=account.pk, **data
        )

    return _submit(request, number, PhoneForm, "phone-new", call, _("Phone added."))


@action_required(Action.CUSTOMER_CONTACT_EDIT)
def phone_update(request: HttpRequest, number: str, phone_id: int) -> HttpResponse:
    def call(account: Account, data: dict[str, Any]) -> object:
        _owned(CustomerPhone, phone_id, account)
        return customer_phone_update(
            phone_id=phone_id, actor=request.user, account_id=account.pk, **data
        )

    return _submit(request, number, PhoneForm, f"phone-{phone_id}", call, _("Phone updated."))


@action_required(Action.CUSTOMER_CONTACT_EDIT)
def phone_remove(request: HttpRequest, number: str, phone_id: int) -> HttpResponse:
    return _remove(
        request,
        number,
        CustomerPhone,
        phone_id,
        customer_phone_remove,
        "phone_id",
        _("Phone removed."),
    )


@action_required(Action.CUSTOMER_CONTACT_EDIT)
def email_add(request: HttpRequest, number: str) -> HttpResponse:
    def call(account: Account, data: dict[str, Any]) -> object:
        return customer_email_add(
            customer_id=account.customer_id, actor=request.user, account_id=account.pk, **data
        )

    return _submit(request, number, EmailForm, "email-new", call, _("E-mail added."))


@action_required(Action.CUSTOMER_CONTACT_EDIT)
def email_update(request: HttpRequest, number: str, email_id: int) -> HttpResponse:
    def call(account: Account, data: dict[str, Any]) -> object:
        _owned(CustomerEmail, email_id, account)
        return customer_email_update(
            email_id=email_id, actor=request.user, account_id=account.pk, **data
        )

    return _submit(request, number, EmailForm, f"email-{email_id}", call, _("E-mail updated."))


@action_required(Action.CUSTOMER_CONTACT_EDIT)
def email_remove(request: HttpRequest, number: str, email_id: int) -> HttpResponse:
    return _remove(
        request,
        number,
        CustomerEmail,
        email_id,
        customer_email_remove,
        "email_id",
        _("E-mail removed."),
    )


NOT_THIS_CUSTOMERS = _("That belongs to another customer. Reload the page.")


def _owned(model: type, pk: int, account: Account) -> None:
    """Refuse to touch a phone or e-mail that is not this account's customer's."""
    if not model.objects.filter(pk=pk, customer_id=account.customer_id).exists():  # type: ignore[attr-defined]
        raise ServiceError(str(NOT_THIS_CUSTOMERS))


def _remove(
    request: HttpRequest,
    number: str,
    model: type,
    pk: int,
    service: Callable[..., None],
    key: str,
    done: str,
) -> HttpResponse:
    found = account_or_404(request, number)
    if not isinstance(found, Account):
        return found
    if request.method == "POST":
        try:
            _owned(model, pk, found)
            service(**{key: pk}, actor=request.user, account_id=found.pk)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
    return redirect("customers:contact_details", number=found.number)
