"""The account page (the hub) and its tabs, and logging a contact from it (htmx)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.core.errors import ServiceError
from cistern.customers.account_page import (
    account_audit_events,
    account_page_get,
    contact_log_recent,
)
from cistern.customers.forms import ContactLogForm, add_service_error
from cistern.customers.models import Account
from cistern.customers.services import contact_log_create
from cistern.customers.views.common import account_not_found, account_or_404, remember_viewed
from cistern.staff.permissions import Action, action_required

LEDGER_TAB_POSTINGS = 100
CONTACTS_TAB_LIMIT = 500


def _page(request: HttpRequest, number: str, tab: str, **extra: object) -> HttpResponse:
    page = account_page_get(
        number=number,
        as_of=timezone.localdate(),
        postings_limit=LEDGER_TAB_POSTINGS if tab == "ledger" else 10,
    )
    if page is None:
        return account_not_found(request, number)
    remember_viewed(request, page.account.number)
    context = {"page": page, "account": page.account, "tab": tab, **extra}
    context.setdefault("contact_form", ContactLogForm())
    return render(request, f"customers/account_{tab}.html", context)


@action_required(Action.ACCOUNT_VIEW)
def account(request: HttpRequest, number: str) -> HttpResponse:
    return _page(request, number, "overview")


@action_required(Action.ACCOUNT_VIEW)
def account_ledger(request: HttpRequest, number: str) -> HttpResponse:
    return _page(request, number, "ledger")


@action_required(Action.ACCOUNT_VIEW)
def account_contacts(request: HttpRequest, number: str) -> HttpResponse:
    found = account_or_404(request, number)
    if not isinstance(found, Account):
        return found
    entries = contact_log_recent(account_id=found.pk, limit=CONTACTS_TAB_LIMIT)
    return _page(request, number, "contacts", all_contacts=entries)


@action_required(Action.AUDIT_VIEW)
def account_history(request: HttpRequest, number: str) -> HttpResponse:
    found = account_or_404(request, number)
    if not isinstance(found, Account):
        return found
    return _page(request, number, "history", events=account_audit_events(account=found))


def _contact_panel(
    request: HttpRequest, account: Account, form: ContactLogForm, **extra: object
) -> HttpResponse:
    context = {
        "account": account,
        "contact_form": form,
        "contacts": contact_log_recent(account_id=account.pk),
        **extra,
    }
    return render(request, "customers/_partials/contact_log.html", context)


@action_required(Action.CONTACT_LOG)
def contact_log_new(request: HttpRequest, number: str) -> HttpResponse:
    """Log a contact. With htmx the contact panel is swapped in place (errors included)."""
    found = account_or_404(request, number)
    if not isinstance(found, Account):
        return found
    if request.method != "POST":
        return redirect("customers:account", number=found.number)
    form = ContactLogForm(request.POST)
    if form.is_valid():
        try:
            contact_log_create(account_id=found.pk, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
    if form.is_valid():  # still valid: the service accepted it
        if request.htmx:
            return _contact_panel(request, found, ContactLogForm(), logged=True)
        messages.success(request, _("Contact logged."))
        return redirect("customers:account", number=found.number)
    if request.htmx:
        return _contact_panel(request, found, form)
    response = _page(request, found.number, "overview", contact_form=form)
    response.status_code = 422
    return response
