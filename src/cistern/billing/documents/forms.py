"""The bill-message form: who gets it, when, and its text in each language."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cistern.billing.models import BillingCycle, BillMessage
from cistern.customers.models import Account, Language, PremiseClass

TEXT_FIELDS = {code: f"text_{code.replace('-', '_')}" for code, _label in Language.choices}


class BillMessageForm(forms.Form):
    title = forms.CharField(label=_("Title (staff only)"), max_length=100)
    target = forms.ChoiceField(label=_("Who gets it"), choices=BillMessage.Target.choices)
    cycle = forms.ModelChoiceField(
        label=_("Billing cycle"), queryset=BillingCycle.objects.all(), required=False
    )
    premise_class = forms.ChoiceField(
        label=_("Premise class"), choices=[("", "—"), *PremiseClass.choices], required=False
    )
    account_number = forms.CharField(label=_("Account number"), max_length=12, required=False)
    effective_from = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_to = forms.DateField(
        label=_("To (blank: no end)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    priority = forms.IntegerField(label=_("Order on the bill"), min_value=0, initial=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in Language.choices:
            self.fields[TEXT_FIELDS[code]] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": label},
                widget=forms.Textarea(attrs={"rows": 2}),
                required=code == "en",
                max_length=600,
            )

    def clean(self):
        data = super().clean()
        target = data.get("target")
        if target == BillMessage.Target.CYCLE and not data.get("cycle"):
            self.add_error("cycle", _("Choose the cycle this message is for."))
        if target == BillMessage.Target.PREMISE_CLASS and not data.get("premise_class"):
            self.add_error("premise_class", _("Choose the premise class this message is for."))
        if target == BillMessage.Target.ACCOUNT:
            number = (data.get("account_number") or "").strip()
            data["account"] = Account.objects.filter(number=number).first() if number else None
            if data["account"] is None:
                self.add_error("account_number", _("Enter the number of an existing account."))
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", _("The last day must be on or after the first."))
        return data

    def texts(self) -> dict[str, str]:
        data = self.cleaned_data
        texts = {code: (data.get(field) or "").strip() for code, field in TEXT_FIELDS.items()}
        return {code: text for code, text in texts.items() if text}

    @classmethod
    def initial_for(cls, message: BillMessage) -> dict:
        initial = {
            "title": message.title, "target": message.target, "cycle": message.cycle,
            "premise_class": message.premise_class, "priority": message.priority,
            "account_number": message.account.number if message.account else "",
            "effective_from": message.effective_from, "effective_to": message.effective_to,
        }  # fmt: skip
        for code, field in TEXT_FIELDS.items():
            initial[field] = (message.texts or {}).get(code, "")
        return initial
