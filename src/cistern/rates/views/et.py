"""The reference ET table: every zone's inches by month (RATES_VIEW); a Manager edits a zone.

Water-budget rates read a premise's ET zone from this table, prorated over the billing
period (``cistern.rates.et``). A zone's twelve months are saved together, audited.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cistern.core.errors import ServiceError
from cistern.core.forms import form_add_service_error
from cistern.rates.et_services import reference_et_set
from cistern.rates.forms import ReferenceEtForm
from cistern.rates.models import ReferenceEt
from cistern.staff.permissions import Action, action_required, can


def _table() -> list[tuple[str, list[Decimal | None], Decimal]]:
    """(zone, inches for months 1-12 (None when missing), yearly total), by zone."""
    months: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for zone, month, inches in ReferenceEt.objects.values_list("zone", "month", "inches"):
        months[zone][month] = Decimal(inches)
    return [
        (zone, [by_month.get(m) for m in range(1, 13)], sum(by_month.values(), Decimal(0)))
        for zone, by_month in sorted(months.items())
    ]


@action_required(Action.RATES_VIEW)
def et_table(request: HttpRequest) -> HttpResponse:
    context = {
        "rows": _table(),
        "months": [calendar.month_abbr[m] for m in range(1, 13)],
        "can_edit": can(request.user, Action.RATES_EDIT),
    }
    return render(request, "rates/et_table.html", context)


@action_required(Action.RATES_EDIT)
def et_edit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        zone = request.GET.get("zone", "")[:20]
        rows = ReferenceEt.objects.filter(zone=zone) if zone else ReferenceEt.objects.none()
        initial: dict[str, object] = {"zone": zone}
        initial.update({f"m{r.month}": r.inches for r in rows})
        return render(request, "rates/et_form.html", {"form": ReferenceEtForm(initial=initial)})
    form = ReferenceEtForm(request.POST)
    if form.is_valid():
        try:
            reference_et_set(
                zone=form.cleaned_data["zone"],
                inches_by_month=form.inches_by_month(),
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request, _("ET zone %(zone)s saved.") % {"zone": form.cleaned_data["zone"]}
            )
            return redirect("rates:et_table")
    return render(request, "rates/et_form.html", {"form": form}, status=422)
