"""Batch screens: list and open a batch, enter and remove items, close, reopen, post."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cistern.core.errors import ServiceError
from cistern.core.forms import form_add_service_error
from cistern.payments.batch_services import batch_items
from cistern.payments.domain import batch_check
from cistern.payments.forms import BatchItemForm, BatchOpenForm
from cistern.payments.models import Payment
from cistern.payments.selectors import batch_get, batch_list
from cistern.payments.services import (
    batch_close,
    batch_item_add,
    batch_item_remove,
    batch_open,
    batch_post,
    batch_reopen,
)
from cistern.staff.permissions import Action, action_required


@action_required(Action.PAYMENT_BATCH_MANAGE)
def batches(request: HttpRequest) -> HttpResponse:
    form = BatchOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = batch_open(
                channel=data["channel"], control_count=data["control_count"],
                control_amount_cents=data["control_amount"], actor=request.user,
            )  # fmt: skip
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            return redirect("payments:batch", batch_id=batch.pk)
    return render(request, "payments/batches.html", {"form": form, "batches": batch_list()})


@action_required(Action.PAYMENT_BATCH_MANAGE)
def batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    found = batch_get(batch_id=batch_id)
    if found is None:
        raise Http404(_("No such batch."))
    form = BatchItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch_item_add(
                batch_id=found.pk, account=data["account"], amount_cents=data["amount"],
                tender=data["tender"], check_number=data["check_number"],
                payer_name=data["payer_name"], actor=request.user,
            )  # fmt: skip
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            return redirect("payments:batch", batch_id=found.pk)
    items = batch_items(found)
    check = batch_check(
        found.control_count, found.control_amount_cents, [p.amount_cents for p in items]
    )
    context = {"batch": found, "items": items, "form": form, "check": check}
    return render(request, "payments/batch.html", context)


def _act(request: HttpRequest, batch_id: int, service, done: str) -> HttpResponse:
    try:
        service(batch_id=batch_id, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("payments:batch", batch_id=batch_id)


@action_required(Action.PAYMENT_BATCH_MANAGE)
@require_POST
def batch_close_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _act(request, batch_id, batch_close, _("Batch closed; it can now be posted."))


@action_required(Action.PAYMENT_BATCH_MANAGE)
@require_POST
def batch_reopen_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _act(request, batch_id, batch_reopen, _("Batch reopened."))


@action_required(Action.PAYMENT_BATCH_MANAGE)
@require_POST
def batch_post_view(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _act(request, batch_id, batch_post, _("Batch posted."))


@action_required(Action.PAYMENT_BATCH_MANAGE)
@require_POST
def batch_item_remove_view(request: HttpRequest, batch_id: int, payment_id: int) -> HttpResponse:
    if not Payment.objects.filter(pk=payment_id, batch_id=batch_id).exists():
        raise Http404(_("No such item in this batch."))
    try:
        batch_item_remove(payment_id=payment_id, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("payments:batch", batch_id=batch_id)
