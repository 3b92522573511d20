"""Day-close reports as screens and CSV: drawers, batches, deposit slip, cash receipts by GL
account, voids and over/short. ``?day=YYYY-MM-DD`` (default today); ``.csv`` downloads."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cistern.payments.forms import ReportDayForm
from cistern.payments.reports import REPORTS, deposit_slip
from cistern.staff.permissions import Action, action_required

TITLES = {
    "drawers": _("Drawer report by cashier"),
    "batches": _("Batch report"),
    "deposit-slip": _("Deposit slip"),
    "cash-receipts-gl": _("Cash receipts by GL account"),
    "voids-over-short": _("Voids and over/short"),
}
MONEY_COLUMNS_SUFFIX = "_cents"


def _day(request: HttpRequest):
    form = ReportDayForm(request.GET or None)
    day = form.cleaned_data["day"] if form.is_valid() else timezone.localdate()
    return form, day


@action_required(Action.CASH_REPORTS_VIEW)
def reports(request: HttpRequest) -> HttpResponse:
    form, day = _day(request)
    return render(request, "payments/reports.html", {"form": form, "day": day, "titles": TITLES})


@action_required(Action.CASH_REPORTS_VIEW)
def report(request: HttpRequest, report: str) -> HttpResponse:
    if report not in REPORTS:
        raise Http404(_("No such report."))
    form, day = _day(request)
    header, rows = REPORTS[report](day=day)
    money = [h.endswith(MONEY_COLUMNS_SUFFIX) for h in header]
    context = {
        "form": form, "day": day, "report": report, "title": TITLES[report],
        "header": header, "rows": [list(zip(row, money, strict=True)) for row in rows],
        "slip": deposit_slip(day=day) if report == "deposit-slip" else None,
    }  # fmt: skip
    return render(request, "payments/report.html", context)


@action_required(Action.CASH_REPORTS_VIEW)
def report_csv(request: HttpRequest, report: str) -> HttpResponse:
    if report not in REPORTS:
        raise Http404(_("No such report."))
    _form, day = _day(request)
    header, rows = REPORTS[report](day=day)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report}-{day.isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response
