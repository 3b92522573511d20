"""The fee schedule screen: every fee with its amount today and its history; add a change."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cistern.core.calendar import district_today
from cistern.core.errors import ServiceError
from cistern.core.forms import form_add_service_error
from cistern.rates.fee_services import fee_schedule_add
from cistern.rates.forms import FeeForm
from cistern.rates.selectors import fee_schedule_list
from cistern.staff.permissions import Action, action_required, can


@action_required(Action.RATES_VIEW)
def fee_list(request: HttpRequest) -> HttpResponse:
    today = district_today()
    context = {
        "today": today,
        "fees": fee_schedule_list(as_of=today),
        "can_edit": can(request.user, Action.FEES_EDIT),
    }
    return render(request, "rates/fees/list.html", context)


@action_required(Action.FEES_EDIT)
def fee_add(request: HttpRequest) -> HttpResponse:
    initial = {"code": request.GET.get("code", ""), "label": request.GET.get("label", "")}
    form = FeeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            row = fee_schedule_add(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(label)s is %(amount)s from %(day)s.")
                % {
                    "label": row.label,
                    "amount": f"${row.amount_cents / 100:,.2f}",
                    "day": row.effective_from,
                },
            )
            return redirect("rates:fees")
    return render(request, "rates/fees/add.html", {"form": form})
