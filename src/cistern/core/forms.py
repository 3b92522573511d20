"""Forms for the district-wide screens, and the bridge from a ServiceError to a form."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from cistern.core.errors import ServiceError
from cistern.core.models import CalendarDay, DistrictSettings


def form_add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a service's refusal beside the field it names (or at the top of the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z)
    return [(z, z.replace("_", " ")) for z in zones]


class DistrictSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices)
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG or SVG, at most 1 MB. Leave empty to keep the current logo."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)

    class Meta:
        model = DistrictSettings
        fields = [
            "name",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "phone",
            "email",
            "website",
            "office_hours",
            "time_zone",
        ]


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[c for c in CalendarDay.Kind.choices if c[0] != CalendarDay.Kind.HOLIDAY],
    )
    name = forms.CharField(label=_("Name"), max_length=120)


class CalendarRemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class AuditFilterForm(forms.Form):
    account = forms.CharField(label=_("Account number"), required=False, max_length=20)
    user = forms.CharField(label=_("User (username)"), required=False, max_length=150)
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"list": "audit-actions"}),
        help_text=_("The start of an action name, e.g. customer. or staff.user"),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
