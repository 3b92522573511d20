"""Returned payments: record a returned check or ACH debit; read the letter it produced."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cistern.core.errors import ServiceError
from cistern.core.forms import form_add_service_error
from cistern.payments.forms import PaymentReturnForm
from cistern.payments.models import Payment, PaymentReturn
from cistern.payments.selectors import returns_recent
from cistern.payments.services import payment_return
from cistern.staff.permissions import Action, action_required


@action_required(Action.PAYMENT_RETURN)
def returns(request: HttpRequest) -> HttpResponse:
    form = PaymentReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not Payment.objects.filter(pk=data["payment_id"]).exists():
            form.add_error("payment_id", _("No payment has that number."))
        else:
            try:
                record = payment_return(
                    payment_id=data["payment_id"], reason_code=data["reason_code"],
                    returned_on=data["returned_on"], actor=request.user,
                )  # fmt: skip
            except ServiceError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, _("Return recorded; the letter is ready to send."))
                return redirect("payments:return_detail", return_id=record.pk)
    return render(request, "payments/returns.html", {"form": form, "returns": returns_recent()})


@action_required(Action.PAYMENT_RETURN)
def return_detail(request: HttpRequest, return_id: int) -> HttpResponse:
    record = (
        PaymentReturn.objects.select_related("payment__account", "recorded_by")
        .filter(pk=return_id)
        .first()
    )
    if record is None:
        raise Http404(_("No such return."))
    return render(request, "payments/return_detail.html", {"record": record})
