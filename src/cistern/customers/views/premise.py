"""Editing what a premise's rates price on: household, landscape, ET zone, sewer, variance.

Reached from the account page (the account's premise). The form posts to
``premise_rating_update``; a refusal comes back beside its field with status 422 and nothing
saved; success returns to the account page with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cistern.core.errors import ServiceError
from cistern.customers.forms import PremiseRatingForm, add_service_error
from cistern.customers.models import Account, Premise
from cistern.customers.services import premise_rating_update
from cistern.customers.services.premises import RATING_FIELDS
from cistern.customers.views.common import account_or_404
from cistern.rates.et import et_zones
from cistern.rates.strength import strength_classes_priced
from cistern.staff.permissions import Action, action_required, can

TEMPLATE = "customers/premise_form.html"


def _form(request: HttpRequest, premise: Premise, data: Any = None) -> PremiseRatingForm:
    initial = {name: getattr(premise, name) for name in RATING_FIELDS}
    return PremiseRatingForm(
        data,
        initial=initial,
        zones=et_zones(),
        strengths=strength_classes_priced(),
        may_approve_variance=can(request.user, Action.PREMISE_VARIANCE_APPROVE),
    )


@action_required(Action.PREMISE_EDIT)
def premise_rating_edit(request: HttpRequest, number: str) -> HttpResponse:
    found = account_or_404(request, number)
    if not isinstance(found, Account):
        return found
    premise = found.premise
    if request.method != "POST":
        return render(request, TEMPLATE, {"account": found, "form": _form(request, premise)})
    form = _form(request, premise, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            premise_rating_update(
                premise_id=premise.pk,
                household_size=data["household_size"],
                irrigated_area_sqft=data["irrigated_area_sqft"],
                landscape_factor=data["landscape_factor"],
                et_zone=data["et_zone"],
                strength_class=data["strength_class"],
                budget_variance_ccf=data["budget_variance_ccf"],
                reason=data["reason"],
                actor=request.user,
                account_id=found.pk,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Premise rating data saved."))
            return redirect("customers:account", number=found.number)
    return render(request, TEMPLATE, {"account": found, "form": form}, status=422)
