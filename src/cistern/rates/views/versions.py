"""Rate schedules and versions: list, view, create a version (with preview), OWRS in and out."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import yaml
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cistern.core.errors import ServiceError
from cistern.core.forms import form_add_service_error
from cistern.rates.domain import BillingPeriod, Rater, RatingAttributes, RatingError, VolumeUnit
from cistern.rates.domain.owrs import OwrsError
from cistern.rates.domain.owrs_export import write_owrs
from cistern.rates.forms import OwrsImportForm, ScheduleForm, VersionForm
from cistern.rates.models import RateSchedule, RateVersion
from cistern.rates.selectors import domain_version, schedules_with_versions
from cistern.rates.services import (
    rate_schedule_create,
    rate_version_create,
    rate_version_import_owrs,
    rate_version_is_frozen,
    version_parse,
    version_sample_check,
)
from cistern.rates.views.display import display_lines
from cistern.staff.permissions import Action, action_required, can, require

YAML_INVALID = "The text is not valid YAML or JSON: {detail}"


@action_required(Action.RATES_VIEW)
def schedule_list(request: HttpRequest) -> HttpResponse:
    form = ScheduleForm(request.POST or None)
    can_edit = can(request.user, Action.RATES_EDIT)
    if request.method == "POST":
        require(request.user, Action.RATES_EDIT)
    if request.method == "POST" and form.is_valid():
        try:
            rate_schedule_create(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            return redirect("rates:schedules")
    context = {"schedules": schedules_with_versions(), "form": form, "can_edit": can_edit}
    return render(request, "rates/schedules.html", context)


@action_required(Action.RATES_VIEW)
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    record = get_object_or_404(RateVersion.objects.select_related("schedule"), pk=version_id)
    context = {
        "record": record,
        "yaml_text": yaml.safe_dump(record.document, sort_keys=False, allow_unicode=True),
        "frozen": rate_version_is_frozen(record=record),
        "can_edit": can(request.user, Action.RATES_EDIT),
    }
    return render(request, "rates/version_detail.html", context)


def _parse_text(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ServiceError(_(YAML_INVALID).format(detail=error), field="document") from error


def _preview(document: Any, schedule: RateSchedule) -> dict[str, Any]:
    """A sample month of 12 CCF for the schedule's first class, under the typed version."""
    version = version_parse(document=document, version_id="preview")
    version_sample_check(version=version, classes=list(schedule.classes))
    cls = (schedule.classes or ["sfr"])[0]
    start = version.effective_from
    period = BillingPeriod(start, start + timedelta(days=version.nominal_days))
    try:
        bill = Rater([version]).rate(
            RatingAttributes(customer_class=cls), Decimal(12), VolumeUnit.CCF, period
        )
    except RatingError as error:
        raise ServiceError(str(error), field="document") from error
    return {"lines": display_lines(bill.lines), "total_cents": bill.total_cents, "cls": cls}


@action_required(Action.RATES_EDIT)
def version_new(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule = get_object_or_404(RateSchedule, pk=schedule_id)
    latest = schedule.versions.order_by("-effective_from").first()
    initial_text = yaml.safe_dump(latest.document, sort_keys=False) if latest else ""
    form = VersionForm(request.POST or None, initial={"document": initial_text})
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            document = _parse_text(form.cleaned_data["document"])
            if "save" in request.POST:
                record = rate_version_create(
                    schedule=schedule, document=document,
                    note=form.cleaned_data["note"], actor=request.user,
                )  # fmt: skip
                messages.success(request, _("The new rate version is saved."))
                return redirect("rates:version", version_id=record.pk)
            preview = _preview(document, schedule)
        except ServiceError as error:
            form_add_service_error(form, error)
    context = {"schedule": schedule, "form": form, "preview": preview}
    return render(request, "rates/version_new.html", context)


@action_required(Action.RATES_EDIT)
def owrs_import(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule = get_object_or_404(RateSchedule, pk=schedule_id)
    form = OwrsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            loaded = yaml.safe_load(form.cleaned_data["file"].read())
            record = rate_version_import_owrs(
                schedule=schedule, document=loaded,
                note=form.cleaned_data["note"] or _("Imported from OWRS"), actor=request.user,
            )  # fmt: skip
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            form.add_error("file", _(YAML_INVALID).format(detail=error))
        except ServiceError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("The OWRS file is now a new rate version."))
            return redirect("rates:version", version_id=record.pk)
    return render(request, "rates/owrs_import.html", {"schedule": schedule, "form": form})


@action_required(Action.RATES_VIEW)
def owrs_export(request: HttpRequest, version_id: int) -> HttpResponse:
    record = get_object_or_404(RateVersion.objects.select_related("schedule"), pk=version_id)
    try:
        document = write_owrs(domain_version(record), utility_name=record.schedule.name)
    except OwrsError as error:
        messages.error(request, str(error))
        return redirect("rates:version", version_id=record.pk)
    response = HttpResponse(
        yaml.safe_dump(document, sort_keys=False), content_type="application/x-yaml"
    )
    filename = f"rates-{record.schedule_id}-{record.effective_from}.owrs"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
