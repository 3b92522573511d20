"""Bill-run screens: the list, one run (progress, exceptions, actions), a bill, corrections.

Actions run in this request, chunk by chunk; for a large cycle use ``cistern billrun``
(same services) and watch this screen, which refreshes its progress every few seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cistern.billing import selectors
from cistern.billing.documents.context import chart_for
from cistern.billing.forms import BillRunForm, CancelRebillForm, ReasonForm
from cistern.billing.models import Bill, BillException, BillRun
from cistern.billing.services import (
    bill_cancel_and_rebill,
    bill_hold,
    bill_release,
    bill_run_calculate,
    bill_run_create,
    bill_run_issue,
    bill_run_post,
    bill_run_review,
    exception_release,
)
from cistern.core.errors import ServiceError
from cistern.core.forms import form_add_service_error
from cistern.staff.permissions import Action, action_required, can, require

RUN_STEPS: dict[str, Callable[..., BillRun]] = {
    "calculate": bill_run_calculate,
    "review": bill_run_review,
    "post": bill_run_post,
    "issue": bill_run_issue,
}


@action_required(Action.BILLING_VIEW)
def run_list(request: HttpRequest) -> HttpResponse:
    form = BillRunForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Action.BILL_RUN_MANAGE)
        if form.is_valid():
            try:
                run = bill_run_create(actor=request.user, **form.cleaned_data)
            except ServiceError as error:
                form_add_service_error(form, error)
            else:
                return redirect("billing:run", run_id=run.pk)
    context = {
        "runs": selectors.bill_runs_recent(),
        "form": form,
        "can_manage": can(request.user, Action.BILL_RUN_MANAGE),
    }
    return render(request, "billing/run_list.html", context)


@action_required(Action.BILLING_VIEW)
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(BillRun.objects.select_related("cycle"), pk=run_id)
    context = {
        "run": run,
        "progress": selectors.run_progress(run=run),
        "exceptions": selectors.run_exceptions(run=run),
        "bills": run.bills.select_related("account").order_by("account__number")[:200],
        "can_manage": can(request.user, Action.BILL_RUN_MANAGE),
        "reason_form": ReasonForm(),
    }
    return render(request, "billing/run_detail.html", context)


@action_required(Action.BILLING_VIEW)
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(BillRun, pk=run_id)
    context = {"run": run, "progress": selectors.run_progress(run=run)}
    return render(request, "billing/_partials/run_progress.html", context)


@action_required(Action.BILL_RUN_MANAGE)
@require_POST
def run_step(request: HttpRequest, run_id: int, step: str) -> HttpResponse:
    run = get_object_or_404(BillRun, pk=run_id)
    service = RUN_STEPS.get(step)
    if service is None:
        raise Http404
    try:
        service(run=run, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done: %(step)s.") % {"step": step})
    return redirect("billing:run", run_id=run.pk)


def _decide(request: HttpRequest, bill: Bill, decide: Callable[..., Any]) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason: it is kept with the decision."))
    else:
        try:
            decide(bill=bill, reason=form.cleaned_data["reason"], actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
    if bill.run_id:
        return redirect("billing:run", run_id=bill.run_id)
    return redirect("billing:bill", bill_id=bill.pk)


@action_required(Action.BILL_RUN_MANAGE)
@require_POST
def bill_hold_view(request: HttpRequest, bill_id: int) -> HttpResponse:
    return _decide(request, get_object_or_404(Bill, pk=bill_id), bill_hold)


@action_required(Action.BILL_RUN_MANAGE)
@require_POST
def bill_release_view(request: HttpRequest, bill_id: int) -> HttpResponse:
    return _decide(request, get_object_or_404(Bill, pk=bill_id), bill_release)


@action_required(Action.BILL_RUN_MANAGE)
@require_POST
def exception_release_view(request: HttpRequest, exception_id: int) -> HttpResponse:
    exception = get_object_or_404(BillException, pk=exception_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            exception_release(
                exception=exception, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ServiceError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Give a reason: it is kept with the decision."))
    return redirect("billing:run", run_id=exception.run_id)


@action_required(Action.BILLING_VIEW)
def bill_detail(request: HttpRequest, bill_id: int) -> HttpResponse:
    bill = selectors.bill_detail(bill_id=bill_id)
    if bill is None:
        raise Http404
    context = {"bill": bill, "can_correct": can(request.user, Action.BILL_CORRECT)}
    return render(request, "billing/bill_detail.html", context)


@action_required(Action.BILLING_VIEW)
def account_bills(request: HttpRequest, account_id: int) -> HttpResponse:
    """The account's bills as a partial, for the account page (``hx-get`` it)."""
    bills = list(selectors.account_bills(account_id=account_id))
    latest = next((b for b in bills if b.status == Bill.Status.POSTED), None)
    context = {
        "bills": bills,
        "bill": latest,  # the usage chart ends at the latest posted bill
        "chart": chart_for(latest) if latest else None,
        "t_heading": _("Usage, last 13 months"),
        "t_no_history": _("No usage history yet."),
    }
    return render(request, "billing/_partials/account_bills.html", context)


@action_required(Action.BILL_CORRECT)
def bill_cancel(request: HttpRequest, bill_id: int) -> HttpResponse:
    bill = get_object_or_404(Bill, pk=bill_id)
    form = CancelRebillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = bill_cancel_and_rebill(bill=bill, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("The bill was cancelled and rebilled."))
            return redirect("billing:bill", bill_id=new.pk)
    return render(request, "billing/bill_cancel.html", {"bill": bill, "form": form})
