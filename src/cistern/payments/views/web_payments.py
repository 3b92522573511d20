"""Web card payments as staff see them: every hosted-page session, paid, pending or expired.

A customer who says "I paid online" is answered here: the session, its state, the card's
brand and last four, the authorization code, declines, and the payment it posted (which is
also on the account's ledger and in the day's cash receipts, channel Web, tender Card).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cistern.payments.hosted_models import HostedPayment
from cistern.staff.permissions import Action, action_required

LIMIT = 200


@action_required(Action.CASH_REPORTS_VIEW)
def web_payments(request: HttpRequest) -> HttpResponse:
    number = (request.GET.get("account") or "").strip()
    rows = HostedPayment.objects.select_related("account").order_by("-created_at", "-id")
    if number:
        rows = rows.filter(account__number=number)
    now = timezone.now()
    sessions = [(row, row.state(now)) for row in rows[:LIMIT]]
    return render(
        request,
        "payments/web_payments.html",
        {"sessions": sessions, "account_number": number, "limit": LIMIT},
    )
