"""Finance's day close: the general-ledger journal export, the BAI2 bank reconciliation,
and the day-close reports as PDF. Query strings, not path parameters: ``?day=YYYY-MM-DD``,
``?statement=<id>``."""

from __future__ import annotations

import csv

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cistern.core.errors import ServiceError
from cistern.core.forms import form_add_service_error
from cistern.payments.bank.reconciliation import statement_reconcile
from cistern.payments.bank.services import FILE_TOO_LARGE, MAX_BAI2_BYTES, bank_statement_import
from cistern.payments.forms import ReportDayForm
from cistern.payments.gl_export import gl_export_create, gl_exports_recent, gl_journal_preview
from cistern.payments.models import BankStatementImport
from cistern.payments.report_pdfs import report_pdf
from cistern.payments.reports import REPORTS
from cistern.payments.views.reports import TITLES
from cistern.staff.permissions import Action, action_required


class BankFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("BAI2 prior-day file"))


def _day(request: HttpRequest, data=None):
    form = ReportDayForm(data if data is not None else (request.GET or None))
    day = form.cleaned_data["day"] if form.is_valid() else timezone.localdate()
    return form, day


@action_required(Action.CASH_REPORTS_VIEW)
def report_pdf_view(request: HttpRequest, report: str) -> HttpResponse:
    if report not in REPORTS:
        raise Http404(_("No such report."))
    _form, day = _day(request)
    pdf = report_pdf(report=report, day=day, title=str(TITLES[report]))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report}-{day.isoformat()}.pdf"'
    return response


def _gl_page(request: HttpRequest, form: ReportDayForm, day, status: int = 200) -> HttpResponse:
    journal, refusal = None, None
    try:
        journal = gl_journal_preview(day=day)
    except ServiceError as error:
        refusal = error.message
    context = {
        "form": form,
        "day": day,
        "journal": journal,
        "refusal": refusal,
        "exports": gl_exports_recent(),
    }
    return render(request, "payments/gl_export.html", context, status=status)


@action_required(Action.BANK_RECONCILE)
def gl_export(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form, day = _day(request)
        return _gl_page(request, form, day)
    form, day = _day(request, request.POST)
    if not form.is_valid():
        return _gl_page(request, form, day, status=422)
    try:
        outcome = gl_export_create(day=day, actor=request.user)
    except ServiceError as error:
        form_add_service_error(form, error)
        return _gl_page(request, form, day, status=422)
    response = HttpResponse(outcome.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{outcome.filename}"'
    response["X-Content-SHA256"] = outcome.export.file_sha256
    return response


def _bank_page(request: HttpRequest, form: BankFileForm, status: int = 200) -> HttpResponse:
    statement = _statement(request)
    context = {
        "form": form,
        "statement": statement,
        "result": statement_reconcile(statement=statement) if statement else None,
        "imports": BankStatementImport.objects.select_related("imported_by").defer("raw")[:20],
    }
    return render(request, "payments/bank.html", context, status=status)


def _statement(request: HttpRequest) -> BankStatementImport | None:
    key = request.GET.get("statement", "")
    if not key.isdigit():
        return None
    return BankStatementImport.objects.defer("raw").filter(pk=int(key)).first()


@action_required(Action.BANK_RECONCILE)
def bank(request: HttpRequest) -> HttpResponse:
    return _bank_page(request, BankFileForm())


@action_required(Action.BANK_RECONCILE)
@require_POST
def bank_import(request: HttpRequest) -> HttpResponse:
    form = BankFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _bank_page(request, form, status=422)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_BAI2_BYTES:
        form.add_error("file", _(FILE_TOO_LARGE))
        return _bank_page(request, form, status=422)
    try:
        outcome = bank_statement_import(
            data=upload.read(), filename=upload.name, actor=request.user
        )
    except ServiceError as error:
        form_add_service_error(form, error)
        return _bank_page(request, form, status=422)
    if not outcome.created:
        messages.warning(request, _("This exact file was imported before; nothing new was added."))
    return redirect(f"{reverse('payments:bank')}?statement={outcome.statement.pk}")


@action_required(Action.BANK_RECONCILE)
def bank_result_csv(request: HttpRequest) -> HttpResponse:
    statement = _statement(request)
    if statement is None:
        messages.error(request, _("Choose an imported bank file first."))
        return redirect("payments:bank")
    result = statement_reconcile(statement=statement)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"bank-reconciliation-{statement.last_as_of.isoformat()}-{statement.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "status",
            "rule",
            "bank_date",
            "bank_amount_cents",
            "bank_reference",
            "bank_description",
            "deposit",
            "deposit_date",
            "deposit_amount_cents",
        ]
    )
    for m in result.matches:
        writer.writerow(
            [
                "tied",
                m.rule,
                m.credit.posted_on,
                m.credit.amount_cents,
                m.credit.reference,
                m.credit.description,
                m.deposit.description,
                m.deposit.deposited_on,
                m.deposit.amount_cents,
            ]
        )
    for c in result.unmatched_credits:
        writer.writerow(
            ["bank_only", "", c.posted_on, c.amount_cents, c.reference, c.description, "", "", ""]
        )
    for d in result.unmatched_deposits:
        writer.writerow(
            ["cistern_only", "", "", "", "", "", d.description, d.deposited_on, d.amount_cents]
        )
    return response
