"""Lockbox upload: import the bank's file whole, or list every rejected line."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cistern.core.errors import ServiceError
from cistern.core.forms import form_add_service_error
from cistern.payments.forms import LockboxUploadForm
from cistern.payments.lockbox_services import MAX_LOCKBOX_BYTES, LockboxImportRefused
from cistern.payments.models import LockboxImport
from cistern.payments.services import lockbox_import
from cistern.staff.permissions import Action, action_required


@action_required(Action.LOCKBOX_IMPORT)
def lockbox(request: HttpRequest) -> HttpResponse:
    form = LockboxUploadForm(request.POST or None, request.FILES or None)
    refused: list[str] = []
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_LOCKBOX_BYTES:
            form.add_error("file", _("The file is larger than 50 MB; ask the bank to split it."))
        else:
            try:
                outcome = lockbox_import(
                    data=upload.read(), filename=upload.name, actor=request.user
                )
            except LockboxImportRefused as error:
                form.add_error("file", error.message)
                refused = error.lines()
            except ServiceError as error:
                form_add_service_error(form, error)
            else:
                if not outcome.created:
                    messages.warning(
                        request, _("This exact file was imported before; nothing new was posted.")
                    )
    context = {
        "form": form,
        "refused": refused,
        "outcome": outcome,
        "imports": LockboxImport.objects.select_related("imported_by").defer("raw")[:20],
    }
    return render(request, "payments/lockbox.html", context, status=422 if refused else 200)
