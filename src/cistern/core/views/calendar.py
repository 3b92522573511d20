"""The business calendar: closed days by year; add or remove closures and furlough days."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cistern.core.calendar import district_today
from cistern.core.errors import ServiceError
from cistern.core.forms import CalendarDayForm, CalendarRemoveForm, form_add_service_error
from cistern.core.selectors import (
    calendar_days_for_year,
    calendar_removals_for_year,
    calendar_years,
)
from cistern.core.services import calendar_day_add, calendar_day_remove, calendar_seed_holidays
from cistern.staff.permissions import Action, action_required, can


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return district_today().year


def _year_url(year: int) -> str:
    return f"{reverse('core:calendar')}?year={year}"


@action_required(Action.CALENDAR_VIEW)
def calendar(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    years = sorted(set(calendar_years()) | {year - 1, year, year + 1})
    context = {
        "year": year,
        "years": years,
        "days": calendar_days_for_year(year=year),
        "removals": calendar_removals_for_year(year=year),
        "form": CalendarDayForm(initial={"date": None}),
        "can_edit": can(request.user, Action.CALENDAR_EDIT),
    }
    return render(request, "core/calendar/list.html", context)


@action_required(Action.CALENDAR_EDIT)
def calendar_add(request: HttpRequest) -> HttpResponse:
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = calendar_day_add(
                actor=request.user, day=data["date"], kind=data["kind"], name=data["name"]
            )
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("%(day)s is now closed.") % {"day": row.date})
            return redirect(_year_url(row.date.year))
    return render(request, "core/calendar/add.html", {"form": form})


@action_required(Action.CALENDAR_EDIT)
def calendar_remove(request: HttpRequest, day: str) -> HttpResponse:
    """Confirm (GET) and reopen (POST) a closed day."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        when = None
    row = calendar_days_for_year(year=when.year).filter(date=when).first() if when else None
    form = CalendarRemoveForm(request.POST or None)
    if row is not None and request.method == "POST" and form.is_valid():
        try:
            calendar_day_remove(
                actor=request.user, day=row.date, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("%(day)s is a business day again.") % {"day": row.date})
            return redirect(_year_url(row.date.year))
    status = 200 if row is not None else 404
    return render(request, "core/calendar/remove.html", {"form": form, "row": row}, status=status)


@action_required(Action.CALENDAR_EDIT)
def calendar_seed(request: HttpRequest) -> HttpResponse:
    """Add California's legal holidays for a year (POST); GET shows what it will do."""
    year = _year(request) if request.method == "GET" else int(request.POST.get("year", "0") or 0)
    if request.method == "POST":
        try:
            added = calendar_seed_holidays(years=[year], actor=request.user)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("core:calendar")
        messages.success(
            request, _("Added %(n)d holidays for %(year)d.") % {"n": len(added), "year": year}
        )
        return redirect(_year_url(year))
    return render(request, "core/calendar/seed.html", {"year": year})
