"""Day close at the counter: the blind count (no expected figure is shown before it is
entered), the result, and the supervisors' approval queue."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cistern.core.errors import ServiceError
from cistern.core.forms import form_add_service_error
from cistern.payments.forms import BlindCountForm
from cistern.payments.models import DrawerSession
from cistern.payments.selectors import drawer_current, drawers_awaiting_approval
from cistern.payments.services import drawer_close_approve, drawer_count_blind
from cistern.staff.permissions import Action, action_required, can


@action_required(Action.CASHIER_DRAWER)
def drawer_count(request: HttpRequest) -> HttpResponse:
    drawer = drawer_current(cashier=request.user)
    if drawer is None:
        messages.error(request, _("You have no drawer open."))
        return redirect("payments:home")
    if drawer.status != DrawerSession.Status.OPEN:
        return redirect("payments:drawer_result", drawer_id=drawer.pk)
    form = BlindCountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            drawer_count_blind(
                drawer_id=drawer.pk, cash_counts=form.counts(),
                checks_cents=data["checks"] or 0, money_orders_cents=data["money_orders"] or 0,
                card_cents=data["card"] or 0, actor=request.user,
            )  # fmt: skip
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            return redirect("payments:drawer_result", drawer_id=drawer.pk)
    # Blind: nothing about what the drawer should hold is passed to this template.
    return render(request, "payments/drawer_count.html", {"form": form, "drawer_id": drawer.pk})


@action_required(Action.CASHIER_DRAWER)
def drawer_result(request: HttpRequest, drawer_id: int) -> HttpResponse:
    drawer = (
        DrawerSession.objects.select_related("cashier", "approved_by").filter(pk=drawer_id).first()
    )
    if drawer is None:
        raise Http404(_("No such drawer."))
    mine = drawer.cashier_id == request.user.pk
    if not (mine or can(request.user, Action.DRAWER_CLOSE_APPROVE)):
        messages.error(request, _("Only the cashier and the supervisors see a drawer's count."))
        return redirect("payments:home")
    if drawer.status == DrawerSession.Status.OPEN:  # never show expected before the count
        return redirect("payments:drawer_count") if mine else redirect("payments:approvals")
    counted = {
        "cash": drawer.counted_cash_cents, "check": drawer.counted_checks_cents,
        "money_order": drawer.counted_money_orders_cents, "card": drawer.counted_card_cents,
    }  # fmt: skip
    lines = [
        (tender, drawer.expected_by_tender.get(tender, 0), counted[tender],
         (counted[tender] or 0) - drawer.expected_by_tender.get(tender, 0))
        for tender in ("cash", "check", "money_order", "card")
    ]  # fmt: skip
    context = {
        "drawer": drawer,
        "lines": lines,
        "can_approve": can(request.user, Action.DRAWER_CLOSE_APPROVE) and not mine,
    }
    return render(request, "payments/drawer_result.html", context)


@action_required(Action.DRAWER_CLOSE_APPROVE)
def approvals(request: HttpRequest) -> HttpResponse:
    drawers = drawers_awaiting_approval()
    return render(request, "payments/approvals.html", {"drawers": drawers})


@action_required(Action.DRAWER_CLOSE_APPROVE)
@require_POST
def drawer_approve(request: HttpRequest, drawer_id: int) -> HttpResponse:
    try:
        drawer = drawer_close_approve(drawer_id=drawer_id, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Drawer D%(id)s is closed.") % {"id": drawer.pk})
    return redirect("payments:approvals")
