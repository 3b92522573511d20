"""The workspace's forms. They check the shape of what was typed; the services decide the rest.

A ``ServiceError`` from a service is put back on the form beside its field with
``add_service_error``, so every refusal shows where the CSR is looking.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cistern.core.errors import ServiceError
from cistern.customers.domain.contact_details import Address
from cistern.customers.models import ContactLogEntry, CustomerPhone


def add_service_error(form: forms.Form, error: ServiceError) -> None:
    """Show a service's refusal beside the field it names (or at the top of the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class ContactLogForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=ContactLogEntry.Channel.choices, initial="phone"
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=ContactLogEntry.Direction.choices, initial="in"
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "accesskey": "l"}),
    )


class AddressFields(forms.Form):
    line1 = forms.CharField(label=_("Address"), max_length=200)
    line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100)
    state = forms.CharField(label=_("State"), max_length=2, initial="CA")
    postal_code = forms.CharField(label=_("ZIP code"), max_length=10)

    def address(self) -> Address:
        data = self.cleaned_data
        return Address(
            line1=data["line1"],
            line2=data.get("line2", ""),
            city=data["city"],
            state=data["state"],
            postal_code=data["postal_code"],
        )


class MailingAddressForm(AddressFields):
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=300,
        help_text=_("For example: customer called, moved; returned mail; new PO box."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["line1"].widget.attrs["accesskey"] = "m"


class PhoneForm(forms.Form):
    number = forms.CharField(label=_("Phone number"), max_length=30)
    kind = forms.ChoiceField(label=_("Kind"), choices=CustomerPhone.Kind.choices)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)


class EmailForm(forms.Form):
    address = forms.CharField(label=_("E-mail address"), max_length=254)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)


class BillToForm(AddressFields):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.CharField(label=_("E-mail (optional)"), max_length=254, required=False)
    receives_bills = forms.BooleanField(label=_("Receives bills"), required=False, initial=True)
    receives_notices = forms.BooleanField(label=_("Receives notices"), required=False, initial=True)
    field_order = ["name", "line1", "line2", "city", "state", "postal_code", "email"]


class RemovalForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class PremiseRatingForm(forms.Form):
    """What a premise's water-budget and sewer rates price on (``premise_rating_update``).

    The ET zones and strength classes offered are those the rates know; the variance is
    read-only for a role that may not approve one.
    """

    household_size = forms.IntegerField(
        label=_("Household size (persons)"),
        min_value=0,
        max_value=99,
        help_text=_("People living at the premise; sets the indoor water budget."),
    )
    irrigated_area_sqft = forms.IntegerField(
        label=_("Irrigated area (sq ft)"),
        min_value=0,
        max_value=50_000_000,
        help_text=_("Landscaped area that is watered; sets the outdoor water budget."),
    )
    landscape_factor = forms.DecimalField(
        label=_("Landscape factor (optional)"),
        required=False,
        min_value=0,
        max_value=Decimal("1.5"),
        max_digits=4,
        decimal_places=2,
        help_text=_("Leave empty to use the rate schedule's (often 0.7); 1.0 for special areas."),
    )
    et_zone = forms.ChoiceField(label=_("ET zone"), required=False, choices=[])
    strength_class = forms.ChoiceField(label=_("Sewer strength class"), required=False, choices=[])
    budget_variance_ccf = forms.DecimalField(
        label=_("Water-budget variance (CCF per period)"),
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text=_("Approved extra allocation: medical need, large household, pool."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        help_text=_("Required when the variance changes; kept in the account's history."),
    )

    def __init__(
        self,
        *args: Any,
        zones: list[str],
        strengths: list[str],
        may_approve_variance: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        current = self.initial
        zone_choices = _with_current(zones, current.get("et_zone"))
        strength_choices = _with_current(strengths, current.get("strength_class"))
        self.fields["et_zone"].choices = [("", _("None (no outdoor budget)")), *zone_choices]
        self.fields["strength_class"].choices = [("", _("None")), *strength_choices]
        if not may_approve_variance:
            variance = self.fields["budget_variance_ccf"]
            variance.disabled = True
            variance.help_text = _("Only a CSR Senior or the Manager may approve a variance.")


def _with_current(known: list[str], current: Any) -> list[tuple[str, str]]:
    values = list(known)
    if current and current not in values:
        values.append(str(current))
    return [(v, v) for v in values]
