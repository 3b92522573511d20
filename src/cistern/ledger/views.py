"""Finance's ledger screens: home, chart of accounts, periods, trial balance, entries.

Thin adapters: each view reads through a selector or writes through one service.
"""

from __future__ import annotations

import csv
from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cistern.core.errors import ServiceError
from cistern.core.forms import form_add_service_error
from cistern.core.money import cents_to_decimal
from cistern.ledger.forms import LedgerAccountForm, TrialBalanceForm
from cistern.ledger.models import JournalEntry, LedgerAccount
from cistern.ledger.period_selectors import accounting_period_list
from cistern.ledger.selectors import (
    journal_entry_get,
    journal_entry_list,
    trial_balance,
    trial_balance_total_cents,
)
from cistern.ledger.services import (
    accounting_period_close,
    ledger_account_create,
    ledger_account_update,
)
from cistern.staff.permissions import Action, action_required, can

_ACCOUNT_FIELDS = ("name", "gl_fund", "gl_department", "gl_account", "active", "code", "kind")


@action_required(Action.LEDGER_VIEW)
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "entries": journal_entry_list(limit=25),
        "trial_total_cents": trial_balance_total_cents(),
    }
    return render(request, "ledger/home.html", context)


@action_required(Action.LEDGER_VIEW)
def chart(request: HttpRequest) -> HttpResponse:
    context = {
        "accounts": LedgerAccount.objects.all(),
        "can_edit": can(request.user, Action.LEDGER_CHART_EDIT),
    }
    return render(request, "ledger/chart.html", context)


@action_required(Action.LEDGER_VIEW)
def chart_csv(request: HttpRequest) -> HttpResponse:
    response = _csv_response("chart-of-accounts.csv")
    writer = csv.writer(response)
    writer.writerow(["code", "name", "kind", "receivable", "gl_fund", "gl_department",
                     "gl_account", "active"])  # fmt: skip
    for a in LedgerAccount.objects.all():
        writer.writerow([a.code, a.name, a.kind, a.is_receivable, a.gl_fund, a.gl_department,
                         a.gl_account, a.active])  # fmt: skip
    return response


@action_required(Action.LEDGER_CHART_EDIT)
def account_create(request: HttpRequest) -> HttpResponse:
    form = LedgerAccountForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        try:
            account = ledger_account_create(actor=request.user, **data)
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("%(account)s added to the chart.") % {"account": account})
            return redirect("ledger:chart")
    return render(request, "ledger/account_form.html", {"form": form, "account": None})


@action_required(Action.LEDGER_CHART_EDIT)
def account_edit(request: HttpRequest, ledger_account_id: int) -> HttpResponse:
    account = get_object_or_404(LedgerAccount, pk=ledger_account_id)
    initial = {f: getattr(account, f) for f in (*_ACCOUNT_FIELDS, "is_receivable")}
    form = LedgerAccountForm(request.POST or None, initial=initial)
    has_postings = account.postings.exists()
    if has_postings:
        for locked in ("code", "kind", "is_receivable"):
            form.fields[locked].disabled = True
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        try:
            ledger_account_update(
                account=account, actor=request.user, reason=form.cleaned_data["reason"], **changes
            )
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("%(code)s saved.") % {"code": account.code})
            return redirect("ledger:chart")
    context = {"form": form, "account": account, "has_postings": has_postings}
    return render(request, "ledger/account_form.html", context)


@action_required(Action.LEDGER_VIEW)
def periods(request: HttpRequest) -> HttpResponse:
    context = {
        "periods": accounting_period_list(today=timezone.localdate()),
        "can_close": can(request.user, Action.LEDGER_PERIOD_CLOSE),
    }
    return render(request, "ledger/periods.html", context)


@action_required(Action.LEDGER_PERIOD_CLOSE)
@require_POST
def period_close(request: HttpRequest, month: str) -> HttpResponse:
    try:
        first_day = date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise Http404(_("No such month.")) from exc
    try:
        accounting_period_close(period=first_day, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(month)s is closed.") % {"month": month})
    return redirect("ledger:periods")


def _trial_balance_as_of(request: HttpRequest) -> tuple[TrialBalanceForm, date | None]:
    form = TrialBalanceForm(request.GET or None)
    as_of = form.cleaned_data.get("as_of") if form.is_valid() else None
    return form, as_of


@action_required(Action.LEDGER_VIEW)
def trial_balance_view(request: HttpRequest) -> HttpResponse:
    form, as_of = _trial_balance_as_of(request)
    rows = trial_balance(as_of=as_of)
    context = {
        "form": form,
        "as_of": as_of,
        "rows": rows,
        "debit_total": sum(r.debit_cents for r in rows),
        "credit_total": sum(r.credit_cents for r in rows),
        "net_total": sum(r.balance_cents for r in rows),
    }
    return render(request, "ledger/trial_balance.html", context)


@action_required(Action.LEDGER_VIEW)
def trial_balance_csv(request: HttpRequest) -> HttpResponse:
    _, as_of = _trial_balance_as_of(request)
    suffix = as_of.isoformat() if as_of else "to-date"
    response = _csv_response(f"trial-balance-{suffix}.csv")
    writer = csv.writer(response)
    writer.writerow(["code", "name", "kind", "debit", "credit"])
    for r in trial_balance(as_of=as_of):
        writer.writerow([r.code, r.name, r.kind, cents_to_decimal(r.debit_cents),
                         cents_to_decimal(r.credit_cents)])  # fmt: skip
    return response


@action_required(Action.LEDGER_VIEW)
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = journal_entry_get(entry_id=entry_id)
    if entry is None:
        raise Http404(_("No such journal entry."))
    reversal = JournalEntry.objects.filter(reverses=entry).first()
    return render(request, "ledger/entry_detail.html", {"entry": entry, "reversal": reversal})


def _csv_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
