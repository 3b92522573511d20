"""The counter: the cashier's home, opening a drawer, taking a payment, the receipt
(print at 80 mm or letter size, COPY on reprint, e-mail), voids and reversals."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cistern.core.errors import ServiceError
from cistern.core.forms import form_add_service_error
from cistern.core.money import format_cents
from cistern.payments.forms import DenominationForm, EmailReceiptForm, PaymentForm, ReasonForm
from cistern.payments.receipt_services import receipt_email, receipt_print_record
from cistern.payments.selectors import drawer_current, drawer_receipts, receipt_get
from cistern.payments.services import (
    CounterShare,
    CounterTender,
    drawer_open,
    payment_reverse,
    payment_take_at_counter,
    receipt_void,
)
from cistern.staff.permissions import Action, action_required, can


@action_required(Action.CASHIER_DRAWER)
def home(request: HttpRequest) -> HttpResponse:
    drawer = drawer_current(cashier=request.user)
    context = {
        "drawer": drawer,
        "receipts": drawer_receipts(drawer=drawer) if drawer else [],
        "float_form": DenominationForm() if drawer is None else None,
    }
    return render(request, "payments/home.html", context)


@action_required(Action.CASHIER_DRAWER)
@require_POST
def drawer_open_view(request: HttpRequest) -> HttpResponse:
    form = DenominationForm(request.POST)
    if form.is_valid():
        try:
            drawer = drawer_open(counts=form.counts(), actor=request.user)
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Drawer open with a float of %(float)s.")
                % {"float": format_cents(drawer.opening_float_cents)},
            )
            return redirect("payments:take")
    return render(request, "payments/home.html", {"drawer": None, "float_form": form})


@action_required(Action.PAYMENT_TAKE)
def take(request: HttpRequest) -> HttpResponse:
    drawer = drawer_current(cashier=request.user)
    if drawer is None or drawer.status != drawer.Status.OPEN:
        messages.error(request, _("Open your drawer before taking payments."))
        return redirect("payments:home")
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        receipt = _take(request, form, drawer.pk)
        if receipt is not None:
            if receipt.change_cents:
                messages.success(
                    request,
                    _("Change due: %(change)s") % {"change": format_cents(receipt.change_cents)},
                )
            return redirect("payments:receipt", receipt_id=receipt.pk)
    return render(request, "payments/take.html", {"form": form, "drawer": drawer})


def _take(request: HttpRequest, form: PaymentForm, drawer_id: int):
    data = form.cleaned_data
    try:
        shares = [CounterShare(a, c) for a, c in form.shares()]
        return payment_take_at_counter(
            drawer_id=drawer_id,
            shares=shares,
            tender=CounterTender(
                data["tender"],
                data["tendered"],
                data["check_number"],
                data["check_bank"],
                data["card_token"],
            ),
            idempotency_key=data["idempotency_key"],
            payer_name=data["payer_name"],
            actor=request.user,
        )
    except ServiceError as error:
        form_add_service_error(form, error)
    except ValidationError as error:  # from shares(): an account row half filled in
        form.add_error(None, error)
    return None


@action_required(Action.PAYMENT_TAKE)
def receipt(request: HttpRequest, receipt_id: int) -> HttpResponse:
    found = receipt_get(receipt_id=receipt_id)
    if found is None:
        raise Http404(_("No such receipt."))
    is_copy = receipt_print_record(receipt_id=found.pk)
    size = "letter" if request.GET.get("size") == "letter" else "narrow"
    context = {
        "receipt": found,
        "is_copy": is_copy,
        "size": size,
        "email_form": EmailReceiptForm(),
        "void_form": ReasonForm(),
        "can_void": can(request.user, Action.RECEIPT_VOID) and found.cashier_id != request.user.pk,
    }
    return render(request, "payments/receipt.html", context)


@action_required(Action.PAYMENT_TAKE)
@require_POST
def receipt_email_view(request: HttpRequest, receipt_id: int) -> HttpResponse:
    form = EmailReceiptForm(request.POST)
    if form.is_valid():
        try:
            receipt_email(
                receipt_id=receipt_id, email=form.cleaned_data["email"], actor=request.user
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Receipt sent to %(email)s.") % form.cleaned_data)
    else:
        messages.error(request, _("Enter a valid e-mail address."))
    return redirect("payments:receipt", receipt_id=receipt_id)


@action_required(Action.RECEIPT_VOID)
@require_POST
def receipt_void_view(request: HttpRequest, receipt_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the void."))
        return redirect("payments:receipt", receipt_id=receipt_id)
    try:
        voided = receipt_void(
            receipt_id=receipt_id, reason=form.cleaned_data["reason"], actor=request.user
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Receipt %(n)s is void.") % {"n": voided.display_number})
    return redirect("payments:receipt", receipt_id=receipt_id)


@action_required(Action.RECEIPT_VOID)
@require_POST
def payment_reverse_view(request: HttpRequest, payment_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            payment_reverse(
                payment_id=payment_id, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Payment P%(id)s reversed.") % {"id": payment_id})
    else:
        messages.error(request, _("Give the reason for the reversal."))
    return redirect("payments:reports")
