"""What the customer views share: finding the account or showing a friendly 404."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cistern.customers.account_page import account_by_number
from cistern.customers.models import Account

RECENT_SESSION_KEY = "customers_recent_accounts"
RECENT_MAX = 8


def account_not_found(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "customers/account_not_found.html", {"number": number[:40]}, status=404)


def account_or_404(request: HttpRequest, number: str) -> Account | HttpResponse:
    account = account_by_number(number=number)
    return account if account is not None else account_not_found(request, number)


def remember_viewed(request: HttpRequest, number: str) -> None:
    """Keep the numbers of the accounts this user opened most recently, newest first."""
    recent = [n for n in request.session.get(RECENT_SESSION_KEY, []) if n != number]
    request.session[RECENT_SESSION_KEY] = [number, *recent][:RECENT_MAX]
