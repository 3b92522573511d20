"""Sign-in and staff user management.

Sign-in and sign-out are the only views without ``@action_required``: they are how a person
gets a session in the first place (the route-walk test allows exactly these).
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cistern.core.errors import ServiceError
from cistern.core.forms import form_add_service_error
from cistern.staff.forms import ReasonForm, RoleChangeForm, StaffUserCreateForm
from cistern.staff.middleware import LAST_SEEN_AT, SIGNED_IN_AT, TIMED_OUT
from cistern.staff.models import User
from cistern.staff.permissions import Action, action_required
from cistern.staff.selectors import staff_user_get, staff_user_list
from cistern.staff.services import (
    staff_user_create,
    staff_user_deactivate,
    staff_user_reactivate,
    staff_user_role_change,
)


class SignInView(auth_views.LoginView):
    template_name = "staff/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):  # type: ignore[no-untyped-def]
        context = super().get_context_data(**kwargs)
        context["timed_out"] = self.request.session.pop(TIMED_OUT, False)
        return context

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        now = time.time()  # the absolute timeout counts from here
        self.request.session[SIGNED_IN_AT] = now
        self.request.session[LAST_SEEN_AT] = now
        return response


class SignOutView(auth_views.LogoutView):
    """POST only (Django refuses a GET), so a link or prefetch cannot sign anyone out."""

    next_page = "staff:login"


@action_required(Action.STAFF_MANAGE)
def user_list(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/users/list.html", {"users": staff_user_list()})


@action_required(Action.STAFF_MANAGE)
def user_create(request: HttpRequest) -> HttpResponse:
    form = StaffUserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = staff_user_create(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("%(name)s can now sign in.") % {"name": user})
            return redirect("staff:user_detail", user_id=user.pk)
    return render(request, "staff/users/create.html", {"form": form})


def _user_or_404(user_id: int) -> User:
    user = staff_user_get(user_id=user_id)
    if user is None:
        raise Http404(_("No such staff user."))
    return user


@action_required(Action.STAFF_MANAGE)
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """One user: their role (changeable, with a reason) and a link to what they changed."""
    person = _user_or_404(user_id)
    form = RoleChangeForm(request.POST or None, initial={"role": person.role})
    if request.method == "POST" and form.is_valid():
        try:
            staff_user_role_change(actor=request.user, user_id=person.pk, **form.cleaned_data)
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("Role changed."))
            return redirect("staff:user_detail", user_id=person.pk)
    return render(request, "staff/users/detail.html", {"person": person, "form": form})


def _set_active_view(request: HttpRequest, user_id: int, *, active: bool) -> HttpResponse:
    person = _user_or_404(user_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = staff_user_reactivate if active else staff_user_deactivate
        try:
            service(actor=request.user, user_id=person.pk, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            done = (
                _("%(name)s can sign in again.") if active else _("%(name)s can no longer sign in.")
            )
            messages.success(request, done % {"name": person})
            return redirect("staff:user_detail", user_id=person.pk)
    context = {"person": person, "form": form, "activating": active}
    return render(request, "staff/users/set_active.html", context)


@action_required(Action.STAFF_MANAGE)
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _set_active_view(request, user_id, active=False)


@action_required(Action.STAFF_MANAGE)
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _set_active_view(request, user_id, active=True)
