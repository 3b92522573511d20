"""Forms for Finance's ledger screens."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cistern.ledger.models import LedgerAccount


class LedgerAccountForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("Letters, digits and dashes, e.g. 4270-FEE-HYDRANT. Fixed once posted to."),
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=LedgerAccount.Kind.choices)
    is_receivable = forms.BooleanField(
        label=_("Customer receivable (postings carry a customer account and charge category)"),
        required=False,
    )
    gl_fund = forms.CharField(label=_("GL fund"), max_length=10, required=False)
    gl_department = forms.CharField(label=_("GL department"), max_length=10, required=False)
    gl_account = forms.CharField(label=_("GL account"), max_length=20, required=False)
    active = forms.BooleanField(label=_("Active (takes new postings)"), required=False)
    reason = forms.CharField(label=_("Reason for the change"), max_length=300, required=False)


class TrialBalanceForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for every posting to date."),
    )
