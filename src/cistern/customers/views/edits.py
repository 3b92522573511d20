"""Changing an account's mailing address and secondary bill-to contacts.

Each form posts to one service. A refusal comes back beside its field with status 422 and
nothing saved; success returns to the account page with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cistern.core.errors import ServiceError
from cistern.customers.forms import BillToForm, MailingAddressForm, RemovalForm, add_service_error
from cistern.customers.models import Account, MailingAddress
from cistern.customers.services import (
    account_secondary_bill_to_add,
    account_secondary_bill_to_remove,
    customer_mailing_address_update,
)
from cistern.customers.views.common import account_or_404
from cistern.staff.permissions import Action, action_required


def _render_form(
    request: HttpRequest,
    template: str,
    account: Account,
    form: object,
    status: int = 200,
    **extra: object,
) -> HttpResponse:
    context = {"account": account, "form": form, **extra}
    return render(request, template, context, status=status)


@action_required(Action.CUSTOMER_ADDRESS_UPDATE)
def mailing_address_update(request: HttpRequest, number: str) -> HttpResponse:
    found = account_or_404(request, number)
    if not isinstance(found, Account):
        return found
    addresses = list(MailingAddress.objects.filter(customer_id=found.customer_id))
    template = "customers/mailing_address_form.html"
    if request.method != "POST":
        current = next((a for a in addresses if a.valid_to is None), None)
        initial = {"state": "CA"} if current is None else {}
        return _render_form(
            request, template, found, MailingAddressForm(initial=initial), addresses=addresses
        )
    form = MailingAddressForm(request.POST)
    if form.is_valid():
        try:
            customer_mailing_address_update(
                customer_id=found.customer_id,
                address=form.address(),
                reason=form.cleaned_data["reason"],
                actor=request.user,
                account_id=found.pk,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Mailing address updated. The old one is kept in history."))
            return redirect("customers:account", number=found.number)
    return _render_form(request, template, found, form, status=422, addresses=addresses)


@action_required(Action.ACCOUNT_BILL_TO_EDIT)
def bill_to_add(request: HttpRequest, number: str) -> HttpResponse:
    found = account_or_404(request, number)
    if not isinstance(found, Account):
        return found
    template = "customers/bill_to_form.html"
    if request.method != "POST":
        return _render_form(request, template, found, BillToForm())
    form = BillToForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            account_secondary_bill_to_add(
                account_id=found.pk,
                name=data["name"],
                address=form.address(),
                email=data["email"],
                receives_bills=data["receives_bills"],
                receives_notices=data["receives_notices"],
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Secondary bill-to added."))
            return redirect("customers:account", number=found.number)
    return _render_form(request, template, found, form, status=422)


@action_required(Action.ACCOUNT_BILL_TO_EDIT)
def bill_to_remove(request: HttpRequest, number: str, bill_to_id: int) -> HttpResponse:
    found = account_or_404(request, number)
    if not isinstance(found, Account):
        return found
    if request.method == "POST":
        form = RemovalForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            removed = account_secondary_bill_to_remove(
                account_id=found.pk, bill_to_id=bill_to_id, actor=request.user, reason=reason
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("%(name)s will no longer get copies.") % {"name": removed.name}
            )
    return redirect("customers:account", number=found.number)
