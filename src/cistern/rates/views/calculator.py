"""The bill calculator page (RATES_VIEW): see a bill line by line under any rate version."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cistern.rates.calculator import (
    CalculatorError,
    CalculatorInput,
    attributes,
    calculator_bill,
)
from cistern.rates.domain import VolumeUnit
from cistern.rates.forms import CalculatorForm
from cistern.rates.models import RateVersion
from cistern.rates.views.display import display_lines
from cistern.staff.permissions import Action, action_required


def _version_choices() -> list[tuple[int, str]]:
    rows = RateVersion.objects.select_related("schedule").order_by(
        "schedule__name", "-effective_from"
    )
    return [(r.pk, f"{r.schedule.name} — {r.effective_from} ({r.resolution_number})") for r in rows]


@action_required(Action.RATES_VIEW)
def calculator(request: HttpRequest) -> HttpResponse:
    form = CalculatorForm(request.GET or None, version_choices=_version_choices())
    result = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            result = calculator_bill(
                CalculatorInput(
                    first_day=data["first_day"],
                    last_day=data["last_day"],
                    usage=data["usage"],
                    unit=VolumeUnit(data["unit"]),
                    attrs=attributes(
                        premise_class=data["premise_class"],
                        meter_size=data["meter_size"],
                        dwelling_units=data["dwelling_units"],
                        household_size=data["household_size"],
                        irrigated_area_sqft=data["irrigated_area_sqft"],
                        in_district=data["in_district"],
                    ),
                    account_number=data["account_number"].strip(),
                    version_id=data["version"],
                )
            )
        except CalculatorError as error:
            form.add_error(None, str(error))
    context = {
        "form": form,
        "result": result,
        "lines": display_lines(c.line for c in result.lines) if result else [],
    }
    return render(request, "rates/calculator.html", context)
