"""Bill documents on screen: a bill's PDF, the run's print file, issuing documents, messages."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cistern.billing.documents.bill_messages import bill_messages_list
from cistern.billing.documents.dispatch import DocumentsQueued, bill_run_documents_start
from cistern.billing.documents.forms import BillMessageForm
from cistern.billing.documents.render import bill_document_render, bill_layout
from cistern.billing.documents.services import bill_message_save
from cistern.billing.models import Bill, BillMessage, BillPrintBatch, BillPrintIndex, BillRun
from cistern.staff.permissions import Action, action_required

STORED_STATUSES = (Bill.Status.POSTED, Bill.Status.CANCELLED)


@action_required(Action.BILLING_VIEW)
def bill_pdf(request: HttpRequest, bill_id: int) -> HttpResponse:
    """The bill's PDF: the stored one for a posted bill; a preview (not kept) for a draft."""
    bill = get_object_or_404(Bill.objects.select_related("account__customer"), pk=bill_id)
    filename = f"{bill.number}.pdf"
    if bill.status in STORED_STATUSES:
        document = bill_document_render(bill=bill)
        return FileResponse(
            document.pdf.open("rb"), content_type="application/pdf", filename=filename
        )
    data = bill_layout(bill=bill).document.write_pdf()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="preview-{filename}"'
    return response


def _not_built(request: HttpRequest, run_id: int) -> HttpResponse:
    messages.error(request, _("That print file has not been made: issue the run or build it."))
    return redirect("billing:run", run_id=run_id)


@action_required(Action.BILLING_VIEW)
def print_batch_download(request: HttpRequest, run_id: int) -> HttpResponse:
    """One batch PDF of the run's print file: ``?seq=2`` (default 1)."""
    seq = request.GET.get("seq", "1")
    batch = BillPrintBatch.objects.filter(run_id=run_id, seq=int(seq) if seq.isdigit() else 0)
    found = batch.first()
    if found is None:
        return _not_built(request, run_id)
    return FileResponse(found.pdf.open("rb"), as_attachment=True, filename=found.filename)


@action_required(Action.BILLING_VIEW)
def print_index_download(request: HttpRequest, run_id: int) -> HttpResponse:
    index = BillPrintIndex.objects.filter(run_id=run_id).first()
    if index is None:
        return _not_built(request, run_id)
    name = f"run{run_id}-index.csv"
    return FileResponse(index.csv.open("rb"), as_attachment=True, filename=name)


@action_required(Action.BILL_RUN_MANAGE)
@require_POST
def run_documents_build(request: HttpRequest, run_id: int) -> HttpResponse:
    """Make (or finish making) an issued run's PDFs, print file and e-mails."""
    run = get_object_or_404(BillRun, pk=run_id)
    if run.status != BillRun.Status.ISSUED:
        messages.error(request, _("Issue the run first: documents are made for issued runs."))
        return redirect("billing:run", run_id=run.pk)
    result = bill_run_documents_start(run_id=run.pk)
    if isinstance(result, DocumentsQueued):
        text = _(
            "%(count)d batches of documents were sent to the billing workers; the print file "
            "appears here when they finish."
        ) % {"count": result.batches}
    else:
        text = _("%(printed)d bills in %(batches)d print files; %(emailed)d e-mailed now.") % {
            "printed": result.printed, "batches": result.batches, "emailed": result.emailed,
        }  # fmt: skip
    messages.success(request, text)
    return redirect("billing:run", run_id=run.pk)


def _message_to_edit(request: HttpRequest) -> BillMessage | None:
    value = request.GET.get("edit", "")
    return get_object_or_404(BillMessage, pk=int(value)) if value.isdigit() else None


@action_required(Action.BILL_RUN_MANAGE)
def message_list(request: HttpRequest) -> HttpResponse:
    """The bill messages, and a form to add one (or change the one in ``?edit=<id>``)."""
    message = _message_to_edit(request)
    initial = BillMessageForm.initial_for(message) if message else None
    form = BillMessageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        bill_message_save(
            message=message, data=form.cleaned_data, texts=form.texts(), actor=request.user
        )
        messages.success(request, _("The bill message was saved."))
        return redirect("billing:messages")
    context = {"form": form, "editing": message, "bill_messages": bill_messages_list()}
    return render(request, "billing/documents/messages.html", context)
