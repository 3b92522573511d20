"""The audit trail screens: the filtered list, a user's changes, and the CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.core.domain.audit_diff import changes_text, csv_safe, field_changes
from cistern.core.forms import AuditFilterForm
from cistern.core.models import AuditEvent
from cistern.core.selectors import (
    account_numbers_by_id,
    audit_action_names,
    audit_event_list,
    district_time_zone,
)
from cistern.staff.permissions import Action, action_required
from cistern.staff.selectors import staff_user_get

PAGE_SIZE = 50


def _filtered(request: HttpRequest, **extra: Any) -> tuple[AuditFilterForm, Any]:
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        events = audit_event_list(
            account_number=data["account"],
            username=data["user"],
            action=data["action"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            **extra,
        )
    elif form.is_bound:
        events = AuditEvent.objects.none()
    else:
        events = audit_event_list(**extra)
    return form, events


def _rows(events: list[AuditEvent]) -> list[dict[str, Any]]:
    numbers = account_numbers_by_id({e.account_id for e in events if e.account_id})
    return [
        {
            "event": e,
            "account_number": numbers.get(e.account_id, "") if e.account_id else "",
            "changes": field_changes(e.before, e.after),
        }
        for e in events
    ]


def _render_list(request: HttpRequest, context: dict[str, Any], **extra: Any) -> HttpResponse:
    form, events = _filtered(request, **extra)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context |= {
        "form": form,
        "page": page,
        "rows": _rows(list(page.object_list)),
        "query": query.urlencode(),
        "action_names": audit_action_names(),
    }
    return render(request, "core/audit/list.html", context)


@action_required(Action.AUDIT_VIEW)
def audit_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, {"heading": _("Audit trail")})


@action_required(Action.AUDIT_VIEW)
def audit_user(request: HttpRequest, user_id: int) -> HttpResponse:
    """What one staff member changed."""
    person = staff_user_get(user_id=user_id)
    if person is None:
        raise Http404(_("No such staff user."))
    heading = _("Changes made by %(name)s") % {"name": person}
    return _render_list(request, {"heading": heading, "person": person}, actor_id=person.pk)


CSV_HEADER = [
    "occurred_at",
    "username",
    "name",
    "action",
    "record",
    "record_id",
    "account_number",
    "changes",
    "reason",
]


def _csv_lines(events: Any) -> Iterator[str]:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    zone = district_time_zone()
    yield writer.writerow(CSV_HEADER)
    batch: list[AuditEvent] = []
    for event in events.iterator(chunk_size=500):
        batch.append(event)
        if len(batch) == 500:
            yield from _csv_batch(writer, batch, zone)
            batch = []
    yield from _csv_batch(writer, batch, zone)


def _csv_batch(writer: Any, batch: list[AuditEvent], zone: Any) -> Iterator[str]:
    numbers = account_numbers_by_id({e.account_id for e in batch if e.account_id})
    for e in batch:
        cells = [
            e.occurred_at.astimezone(zone).isoformat(timespec="seconds"),
            e.actor.username if e.actor else "",
            str(e.actor) if e.actor else "",
            e.action,
            e.subject_type,
            e.subject_id,
            numbers.get(e.account_id, "") if e.account_id else "",
            changes_text(e.before, e.after),
            e.reason,
        ]
        yield writer.writerow([csv_safe(c) for c in cells])


@action_required(Action.AUDIT_VIEW)
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered audit trail as CSV (same filters as the list, every page)."""
    user_id = request.GET.get("user_id", "")
    extra = {"actor_id": int(user_id)} if user_id.isdigit() else {}
    _form, events = _filtered(request, **extra)
    stamp = timezone.now().astimezone(district_time_zone()).strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(_csv_lines(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
