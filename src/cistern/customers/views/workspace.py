"""The front-desk home, the search results page (and its CSV export), and the typeahead."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cistern.customers.account_page import accounts_by_numbers
from cistern.customers.selectors import account_search
from cistern.customers.views.common import RECENT_SESSION_KEY
from cistern.staff.permissions import Action, action_required

TYPEAHEAD_LIMIT = 8
RESULTS_LIMIT = 100


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "")[:200]


@action_required(Action.WORKSPACE_VIEW)
def workspace(request: HttpRequest) -> HttpResponse:
    recent = accounts_by_numbers(request.session.get(RECENT_SESSION_KEY, []))
    return render(request, "customers/workspace.html", {"recent": recent})


@action_required(Action.ACCOUNT_SEARCH)
def search(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    hits = account_search(query=query, limit=RESULTS_LIMIT) if query.strip() else []
    context = {"query": query, "search_query": query, "hits": hits, "limit": RESULTS_LIMIT}
    return render(request, "customers/search.html", context)


@action_required(Action.ACCOUNT_SEARCH)
def search_export(request: HttpRequest) -> HttpResponse:
    """The results of a search as CSV (the same rows the results page lists)."""
    query = _query(request)
    hits = account_search(query=query, limit=RESULTS_LIMIT) if query.strip() else []
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="account-search.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Account"), _("Name"), _("Service address"), _("Status"), _("Matched on")])
    for hit in hits:
        row = [
            hit.number,
            hit.display_name,
            hit.service_address,
            hit.status_label,
            "; ".join(hit.matched_labels),
        ]
        writer.writerow([_csv_safe(value) for value in row])
    return response


def _csv_safe(value: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@action_required(Action.ACCOUNT_SEARCH)
def search_typeahead(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    hits = account_search(query=query, limit=TYPEAHEAD_LIMIT) if query.strip() else []
    return render(request, "customers/_partials/typeahead.html", {"hits": hits, "query": query})
