"""The sandbox processor's hosted card page (/sandbox-processor/pay/<token>/).

This page stands in for the processor's own site: in production the customer types the card
on the processor's servers and this page does not exist (it answers 404 unless the configured
processor is the sandbox). It takes no staff sign-in: the customer's browser comes here from
the web payment site. The card number lives only in this request: it is turned into a
sandbox token in the form's ``clean`` and never rendered back, stored or logged
(``sensitive_post_parameters`` keeps it out of error reports too).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from cistern.payments import hosted_sandbox
from cistern.payments.hosted_services import hosted_notification_receive
from cistern.payments.processors import (
    CardResult,
    NotificationRefused,
    SandboxProcessor,
    card_processor,
)

NUMBER_INVALID = gettext_lazy("That is not a valid card number. Check it and try again.")
EXPIRY_INVALID = gettext_lazy("Enter the expiry date as MM/YY, not in the past.")
CVC_INVALID = gettext_lazy("Enter the 3 or 4 digit security code from the card.")
NOT_DELIVERED = gettext_lazy(
    "The card was charged but the district could not be told. Do not pay again: the "
    "processor retries, and the payment will appear on your account."
)


class SandboxCardForm(forms.Form):
    card_number = forms.CharField(max_length=30)
    expiry = forms.CharField(max_length=7)
    cvc = forms.CharField(max_length=4)
    name = forms.CharField(max_length=120, required=False)

    def __init__(self, *args: Any, today: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_card_number(self) -> str:
        digits = re.sub(r"[\s-]", "", self.cleaned_data["card_number"])
        if not re.fullmatch(r"[0-9]{12,19}", digits) or not hosted_sandbox.luhn_ok(digits):
            raise forms.ValidationError(NUMBER_INVALID)
        return hosted_sandbox.tokenize(digits)  # the number goes no further than this line

    def clean_expiry(self) -> str:
        match = re.fullmatch(r"\s*(0[1-9]|1[0-2])\s*/\s*([0-9]{2})\s*", self.cleaned_data["expiry"])
        if match is None or (2000 + int(match[2]), int(match[1])) < (
            self.today.year, self.today.month,
        ):  # fmt: skip
            raise forms.ValidationError(EXPIRY_INVALID)
        return f"{match[1]}/{match[2]}"

    def clean_cvc(self) -> str:
        if not re.fullmatch(r"[0-9]{3,4}", self.cleaned_data["cvc"].strip()):
            raise forms.ValidationError(CVC_INVALID)
        return ""  # checked, then dropped


def _notify(session: dict[str, Any], result: CardResult, now: datetime) -> bool:
    """Send Cistern the signed notification, as the processor's webhook would."""
    body = hosted_sandbox.notification_body(
        session_id=session["session_id"], result=result, sent_at=now
    )
    try:
        hosted_notification_receive(
            body=body, headers=hosted_sandbox.notification_sign(body, at=now)
        )
    except NotificationRefused:
        return False
    return True


@sensitive_post_parameters("card_number", "cvc", "expiry")
@never_cache
def pay(request: HttpRequest, token: str) -> HttpResponse:
    if not isinstance(card_processor(), SandboxProcessor):
        raise Http404("The sandbox processor is not in use.")
    session = hosted_sandbox.session_read(token)
    if session is None:
        raise Http404("This payment page address is not valid.")
    now = timezone.now()
    cancel = hosted_sandbox.return_address(
        session["return_url"], session_id=session["session_id"], outcome="cancelled"
    )
    context: dict[str, Any] = {
        "session": session,
        "cancel_url": cancel,
        "cards": hosted_sandbox.TEST_CARDS,
    }
    if now >= session["expires_at"]:
        return render(
            request, "payments/sandbox/pay.html", {**context, "expired": True}, status=410
        )
    form = SandboxCardForm(request.POST or None, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        result = hosted_sandbox.charge(
            token=form.cleaned_data["card_number"], amount_cents=session["amount_cents"],
            session_id=session["session_id"],
        )  # fmt: skip
        if not _notify(session, result, now):
            context["error"] = NOT_DELIVERED if result.approved else result.decline_reason
        elif result.approved:
            return HttpResponseRedirect(hosted_sandbox.return_address(
                session["return_url"], session_id=session["session_id"], outcome="approved"
            ))  # fmt: skip
        else:
            context["error"] = _(result.decline_reason)
    return render(request, "payments/sandbox/pay.html", {**context, "form": form})
