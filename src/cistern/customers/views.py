"""Front-desk views (placeholder until the workspace lands)."""

from django.http import HttpRequest, HttpResponse

from cistern.staff.permissions import Action, action_required


@action_required(Action.WORKSPACE_VIEW)
def workspace(request: HttpRequest) -> HttpResponse:
    return HttpResponse("workspace")


@action_required(Action.ACCOUNT_SEARCH)
def search(request: HttpRequest) -> HttpResponse:
    return HttpResponse("search")


@action_required(Action.ACCOUNT_SEARCH)
def search_typeahead(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
