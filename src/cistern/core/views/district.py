"""The district settings page and the logo it uploads."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cistern.core.domain.logo import CONTENT_TYPES, LogoRejected, logo_kind
from cistern.core.errors import ServiceError
from cistern.core.forms import DistrictSettingsForm, form_add_service_error
from cistern.core.selectors import district_settings_get
from cistern.core.services import district_settings_update
from cistern.staff.permissions import Action, action_required


@action_required(Action.DISTRICT_SETTINGS_EDIT)
def district_settings(request: HttpRequest) -> HttpResponse:
    current = district_settings_get()
    form = DistrictSettingsForm(request.POST or None, request.FILES or None, instance=current)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in DistrictSettingsForm.Meta.fields}
        try:
            district_settings_update(
                actor=request.user,
                logo=form.cleaned_data.get("logo"),
                remove_logo=form.cleaned_data.get("remove_logo", False),
                **fields,
            )
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("District settings saved."))
            return redirect("core:district_settings")
    return render(request, "core/district_settings.html", {"form": form, "settings_row": current})


@action_required(Action.WORKSPACE_VIEW)
def district_logo(request: HttpRequest) -> HttpResponse:
    """The uploaded logo, served with a content type decided by its content."""
    row = district_settings_get()
    if not row.logo:
        raise Http404(_("The district has no logo."))
    try:
        with row.logo.open("rb") as handle:
            content = handle.read()
        kind = logo_kind(content)
    except (OSError, LogoRejected) as exc:
        raise Http404(_("The district has no logo.")) from exc
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    # An SVG opened directly must not run anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=300"
    return response
