"""Forms for the bill-run screens."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cistern.billing.models import BillingCycle

_DATE = {"type": "date"}


class BillRunForm(forms.Form):
    cycle = forms.ModelChoiceField(label=_("Billing cycle"), queryset=BillingCycle.objects.all())
    period_start = forms.DateField(
        label=_("First service day"), widget=forms.DateInput(attrs=_DATE)
    )
    period_end = forms.DateField(label=_("Last service day"), widget=forms.DateInput(attrs=_DATE))
    bill_date = forms.DateField(label=_("Bill date"), widget=forms.DateInput(attrs=_DATE))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs=_DATE))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CancelRebillForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300)
    as_of = forms.DateField(label=_("Date of the correction"), widget=forms.DateInput(attrs=_DATE))
