"""Forms for the fee schedule, rate versions and the bill calculator."""

from __future__ import annotations

import calendar
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cistern.core.money import MoneyError, parse_cents
from cistern.customers.models import PremiseClass
from cistern.metering.models import MeterSize, VolumeUnit

_DATE = {"type": "date"}


class DollarsField(forms.CharField):
    """An amount typed in dollars (``25``, ``$1,234.50``), cleaned to integer cents."""

    def clean(self, value: Any) -> int:
        text = super().clean(value)
        try:
            return parse_cents(text)
        except MoneyError as error:
            raise forms.ValidationError(str(error)) from error


class FeeForm(forms.Form):
    code = forms.SlugField(label=_("Fee code"), max_length=40)
    label = forms.CharField(label=_("Label"), max_length=120)
    amount_cents = DollarsField(label=_("Amount ($)"))
    effective_from = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    resolution = forms.CharField(label=_("Adopting resolution"), max_length=60, required=False)


class VersionForm(forms.Form):
    document = forms.CharField(
        label=_("Rate version (YAML or JSON)"),
        widget=forms.Textarea(attrs={"rows": 24, "cols": 90, "spellcheck": "false"}),
        help_text=_("See the user guide, Rates, for every field. Decimals may be quoted."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class OwrsImportForm(forms.Form):
    file = forms.FileField(label=_("OWRS file (.owrs or .yaml)"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ScheduleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    service = forms.ChoiceField(
        label=_("Service"),
        choices=[
            ("water", _("Water")),
            ("sewer", _("Sewer")),
            ("irrigation", _("Irrigation")),
            ("fire_line", _("Fire line")),
            ("recycled", _("Recycled water")),
        ],
    )
    classes = forms.MultipleChoiceField(
        label=_("Premise classes (none = all)"),
        required=False,
        choices=PremiseClass.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)


class CalculatorForm(forms.Form):
    account_number = forms.CharField(
        label=_("Account number"),
        required=False,
        help_text=_("Leave empty to enter the attributes below instead."),
    )
    premise_class = forms.ChoiceField(label=_("Class"), choices=PremiseClass.choices)
    meter_size = forms.ChoiceField(label=_("Meter size"), choices=MeterSize.choices)
    dwelling_units = forms.IntegerField(label=_("Dwelling units"), min_value=1, initial=1)
    household_size = forms.IntegerField(label=_("Household size"), min_value=0, initial=3)
    irrigated_area_sqft = forms.DecimalField(
        label=_("Irrigated area (sq ft)"), min_value=0, initial=0
    )
    in_district = forms.BooleanField(label=_("Inside the district"), required=False, initial=True)
    landscape_factor = forms.DecimalField(
        label=_("Landscape factor"),
        required=False,
        min_value=0,
        max_value=Decimal("1.5"),
        decimal_places=2,
        help_text=_("Empty: the rate schedule's."),
    )
    et_zone = forms.ChoiceField(label=_("ET zone"), required=False, choices=[])
    strength_class = forms.CharField(label=_("Sewer strength class"), required=False, max_length=20)
    budget_variance_ccf = forms.DecimalField(
        label=_("Water-budget variance (CCF)"), required=False, min_value=0, initial=0
    )
    sewer_cap_ccf = forms.DecimalField(
        label=_("Winter-average sewer cap (CCF)"),
        required=False,
        min_value=0,
        help_text=_("Empty: the schedule's default cap."),
    )
    # The account whose records last filled the attribute fields: a different account number
    # fills them again; the same one keeps what the user changed ("what if").
    filled_from = forms.CharField(required=False, widget=forms.HiddenInput)
    usage = forms.DecimalField(
        label=_("Usage"),
        required=False,
        min_value=0,
        help_text=_("Empty with an account: use its billable reads in the period."),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=VolumeUnit.choices, initial="ccf")
    first_day = forms.DateField(label=_("First service day"), widget=forms.DateInput(attrs=_DATE))
    last_day = forms.DateField(label=_("Last service day"), widget=forms.DateInput(attrs=_DATE))
    version = forms.TypedChoiceField(
        label=_("Rates"), coerce=int, empty_value=None, required=False, choices=[]
    )

    def __init__(
        self,
        *args: Any,
        version_choices: list[tuple[Any, str]],
        zones: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [("", _("The rates in effect")), *version_choices]
        self.fields["et_zone"].choices = [("", _("None")), *[(z, z) for z in zones or []]]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last service day must be on or after the first."))
        if not data.get("account_number") and data.get("usage") is None:
            self.add_error("usage", _("Enter the usage, or an account number."))
        return data


class ReferenceEtForm(forms.Form):
    """A zone's reference ET for each month (``reference_et_set``); fields m1..m12."""

    zone = forms.CharField(label=_("ET zone"), max_length=20)
    reason = forms.CharField(
        label=_("Source or reason"),
        max_length=300,
        help_text=_("For example: CIMIS ETo zone map, zone 14 normals."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for month in range(1, 13):
            self.fields[f"m{month}"] = forms.DecimalField(
                label=calendar.month_abbr[month],
                min_value=0,
                max_value=15,
                max_digits=4,
                decimal_places=2,
            )

    def month_fields(self) -> list[forms.BoundField]:
        return [self[f"m{month}"] for month in range(1, 13)]

    def inches_by_month(self) -> dict[int, Any]:
        return {month: self.cleaned_data[f"m{month}"] for month in range(1, 13)}
