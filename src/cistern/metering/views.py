"""Read imports, the route audit, and the handheld route file."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cistern.core.errors import ServiceError
from cistern.core.forms import form_add_service_error
from cistern.metering import selectors, services
from cistern.metering.domain.read_files import ReadFileRejected, route_sheet_csv
from cistern.metering.domain.validation import EXCEPTION_LABELS, ReadException
from cistern.metering.forms import CorrectForm, ReadImportForm, ReviewForm
from cistern.metering.models import MeterRead, Route
from cistern.staff.permissions import Action, action_required


@action_required(Action.READS_IMPORT)
def read_import(request: HttpRequest) -> HttpResponse:
    form = ReadImportForm(request.POST or None, request.FILES or None)
    errors: list[tuple[int, str]] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.read_file_import(
                data=upload.read(), filename=upload.name,
                layout=form.cleaned_data["layout"], actor=request.user,
            )  # fmt: skip
        except ReadFileRejected as refused:
            errors, status = refused.errors, 422
        except ServiceError as error:
            form_add_service_error(form, error)
            status = 422
        else:
            imported = result.read_import
            if result.created:
                messages.success(
                    request,
                    _("Imported %(reads)d reads; %(held)d held for review.")
                    % {"reads": imported.read_count, "held": imported.held_count},
                )
            else:
                messages.info(request, _("This file was already imported; nothing was added."))
            return redirect("metering:routes")
    elif request.method == "POST":
        status = 422
    context = {"form": form, "errors": errors, "imports": selectors.recent_imports()}
    return render(request, "metering/read_import.html", context, status=status)


@action_required(Action.METER_VIEW)
def routes(request: HttpRequest) -> HttpResponse:
    return render(request, "metering/routes.html", {"summaries": selectors.route_audit_summary()})


@action_required(Action.METER_VIEW)
def route_audit(request: HttpRequest, code: str) -> HttpResponse:
    route = get_object_or_404(Route, code=code)
    held = list(selectors.route_held_reads(route=route))
    context = {
        "route": route,
        "held": [(read, _labels(read)) for read in held],
        "reviewed": selectors.route_reviewed_reads(route=route),
    }
    return render(request, "metering/route_audit.html", context)


@action_required(Action.READS_REVIEW)
@require_POST
def read_review(request: HttpRequest, read_id: int, outcome: str) -> HttpResponse:
    read = get_object_or_404(
        MeterRead.objects.select_related("installation__premise__route"), pk=read_id
    )
    form = CorrectForm(request.POST) if outcome == "correct" else ReviewForm(request.POST)
    if not form.is_valid():
        return _review_failed(request, read, form)
    try:
        if outcome == "release":
            services.read_release(read=read, reason=form.cleaned_data["reason"], actor=request.user)
        elif outcome == "reread":
            services.read_reread_request(
                read=read, reason=form.cleaned_data["reason"], actor=request.user
            )
        elif outcome == "correct":
            services.read_correct(
                read=read, raw_value=form.cleaned_data["raw_value"],
                reason=form.cleaned_data["reason"], actor=request.user,
            )  # fmt: skip
        else:
            return HttpResponse(status=404)
    except ServiceError as error:
        form_add_service_error(form, error)
        return _review_failed(request, read, form)
    if request.htmx:
        return HttpResponse("")  # the row disappears from the held list
    messages.success(
        request, _("Read %(serial)s reviewed.") % {"serial": read.installation.meter.serial}
    )
    return redirect("metering:route_audit", code=read.installation.premise.route.code)


@action_required(Action.READS_IMPORT)
def route_sheet(request: HttpRequest, code: str) -> HttpResponse:
    route = get_object_or_404(Route, code=code)
    body = route_sheet_csv(selectors.route_sheet_rows(route=route))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="route-{route.code}.csv"'
    return response


def _review_failed(request: HttpRequest, read: MeterRead, form: object) -> HttpResponse:
    context = {"read": read, "labels": _labels(read), "form_errors": form}
    # htmx swaps only 2xx answers: it gets the partial with the errors as a 200.
    status = 200 if request.htmx else 422
    return render(request, "metering/_partials/held_read.html", context, status=status)


def _labels(read: MeterRead) -> list[str]:
    return [str(EXCEPTION_LABELS[ReadException(code)]) for code in read.exceptions]
