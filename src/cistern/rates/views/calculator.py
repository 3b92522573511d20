"""The bill calculator page (RATES_VIEW): see a bill line by line under any rate version.

Typing an account number and pressing "Fill from account" (or calculating with an account
not filled in yet) fills the attribute fields from the account's premise, meter and sewer
cap (``calculator.account_values``); the user may change them before calculating again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from cistern.core.calendar import district_today
from cistern.rates.calculator import (
    CalculatorError,
    CalculatorInput,
    CalculatorResult,
    account_values,
    attributes,
    calculator_bill,
)
from cistern.rates.domain import VolumeUnit
from cistern.rates.et import et_zones
from cistern.rates.forms import CalculatorForm
from cistern.rates.models import RateVersion
from cistern.rates.views.display import display_lines
from cistern.staff.permissions import Action, action_required


def _version_choices() -> list[tuple[int, str]]:
    rows = RateVersion.objects.select_related("schedule").order_by(
        "schedule__name", "-effective_from"
    )
    return [(r.pk, f"{r.schedule.name} — {r.effective_from} ({r.resolution_number})") for r in rows]


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def _fill(data: QueryDict) -> str | None:
    """Put the account's values in `data` when its number is new here; an error, or None."""
    number = data.get("account_number", "").strip()
    if not number or (number == data.get("filled_from", "") and "fill" not in data):
        return None
    on = _day(data.get("last_day")) or _day(data.get("first_day")) or district_today()
    values = account_values(number, on=on)
    if values is None:
        return _("No account %(number)s.") % {"number": number}
    for name, value in values.items():
        if name == "in_district":
            data.setlist(name, ["on"] if value else [])
        else:
            data[name] = "" if value is None else str(value)
    data["filled_from"] = number
    return None


def _result(form: CalculatorForm) -> CalculatorResult | None:
    data = form.cleaned_data
    first, last = data["first_day"], data["last_day"]
    try:
        return calculator_bill(
            CalculatorInput(
                first_day=first,
                last_day=last,
                usage=data["usage"],
                unit=VolumeUnit(data["unit"]),
                attrs=attributes(
                    premise_class=data["premise_class"],
                    meter_size=data["meter_size"],
                    dwelling_units=data["dwelling_units"],
                    household_size=data["household_size"],
                    irrigated_area_sqft=data["irrigated_area_sqft"],
                    in_district=data["in_district"],
                    first_day=first,
                    last_day=last,
                    landscape_factor=data["landscape_factor"],
                    et_zone=data["et_zone"],
                    strength_class=data["strength_class"].strip(),
                    sewer_cap_ccf=data["sewer_cap_ccf"],
                    variance_ccf=data["budget_variance_ccf"] or 0,
                ),
                account_number=data["account_number"].strip(),
                version_id=data["version"],
            )
        )
    except CalculatorError as error:
        form.add_error(None, str(error))
        return None


@action_required(Action.RATES_VIEW)
def calculator(request: HttpRequest) -> HttpResponse:
    options: dict[str, Any] = {"version_choices": _version_choices(), "zones": et_zones()}
    data = request.GET.copy() if request.GET else None
    problem = _fill(data) if data is not None else None
    result = None
    if data is not None and "fill" in data and problem is None:
        initial = {**data.dict(), "in_district": bool(data.get("in_district"))}
        form = CalculatorForm(initial=initial, **options)  # filled, not yet calculated
    else:
        form = CalculatorForm(data, **options)
        if problem is not None:
            form.add_error("account_number", problem)
        elif data is not None and form.is_valid():
            result = _result(form)
    context = {
        "form": form,
        "result": result,
        "lines": display_lines(c.line for c in result.lines) if result else [],
    }
    return render(request, "rates/calculator.html", context)
