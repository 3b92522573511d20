"""Forms for the cashiering screens. Amounts are typed as dollars and become integer cents
through ``core.money.parse_cents``; nothing here decides a business rule (the services do)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cistern.core.money import MoneyError, parse_cents
from cistern.payments.domain import CheckReturnReason, Denomination
from cistern.payments.domain.returns import ACH_RETURN_REASONS
from cistern.payments.models import Channel

DENOMINATION_LABELS = {
    "bill_100": _("$100 bills"), "bill_50": _("$50 bills"), "bill_20": _("$20 bills"),
    "bill_10": _("$10 bills"), "bill_5": _("$5 bills"), "bill_2": _("$2 bills"),
    "bill_1": _("$1 bills"), "coin_100": _("$1 coins"), "coin_50": _("50¢ coins"),
    "coin_25": _("25¢ coins"), "coin_10": _("10¢ coins"), "coin_5": _("5¢ coins"),
    "coin_1": _("1¢ coins"),
}  # fmt: skip
SPLIT_ROWS = 3


class MoneyField(forms.Field):
    """Dollars as typed ("1,234.50", "$12") -> integer cents."""

    widget = forms.TextInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "maxlength": "20"})

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) > 20:
            raise forms.ValidationError(_("That amount is too long."))
        try:
            return parse_cents(text)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from exc


class DenominationForm(forms.Form):
    """Pieces per denomination (a float, or the cash part of a blind count)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for denomination in Denomination:
            self.fields[denomination.code] = forms.IntegerField(
                label=DENOMINATION_LABELS[denomination.code], min_value=0, required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            )  # fmt: skip

    def counts(self) -> dict[str, int]:
        return {
            code: n for code, n in self.cleaned_data.items() if code in DENOMINATION_LABELS and n
        }


class BlindCountForm(DenominationForm):
    checks = MoneyField(label=_("Checks total"), required=False)
    money_orders = MoneyField(label=_("Money orders total"), required=False)
    card = MoneyField(label=_("Card terminal batch total"), required=False)


class PaymentForm(forms.Form):
    """One tender over up to three accounts (account number or scan line, and an amount)."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput)
    payer_name = forms.CharField(label=_("Payer"), max_length=120, required=False)
    tender = forms.ChoiceField(
        label=_("Tender"),
        choices=[("cash", _("Cash")), ("check", _("Check")), ("money_order", _("Money order")),
                 ("card", _("Card"))],
    )  # fmt: skip
    tendered = MoneyField(label=_("Amount tendered"))
    check_number = forms.CharField(label=_("Check number"), max_length=15, required=False)
    check_bank = forms.CharField(label=_("Bank"), max_length=80, required=False)
    card_token = forms.CharField(
        label=_("Card terminal token"), max_length=80, required=False,
        help_text=_("Filled in by the card terminal; never type a card number."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        for i in range(SPLIT_ROWS):
            self.fields[f"account_{i}"] = forms.CharField(
                label=_("Account number or scan line"), max_length=40, required=i == 0,
                widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": i == 0}),
            )  # fmt: skip
            self.fields[f"amount_{i}"] = MoneyField(label=_("Amount"), required=i == 0)

    def shares(self) -> list[tuple[str, int]]:
        rows = []
        for i in range(SPLIT_ROWS):
            account = (self.cleaned_data.get(f"account_{i}") or "").strip()
            amount = self.cleaned_data.get(f"amount_{i}")
            if account or amount:
                if not account or amount is None:
                    raise forms.ValidationError(_("Enter both the account and the amount."))
                rows.append((account, amount))
        return rows

    def account_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"account_{i}"], self[f"amount_{i}"]) for i in range(SPLIT_ROWS)]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class EmailReceiptForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))


class BatchOpenForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(c.value, c.label) for c in (Channel.MAIL, Channel.DROP_BOX, Channel.PHONE)],
    )
    control_count = forms.IntegerField(label=_("Control count (items)"), min_value=1)
    control_amount = MoneyField(label=_("Control amount"))


class BatchItemForm(forms.Form):
    account = forms.CharField(label=_("Account number or scan line"), max_length=40)
    amount = MoneyField(label=_("Amount"))
    tender = forms.ChoiceField(
        label=_("Tender"),
        choices=[("check", _("Check")), ("money_order", _("Money order")), ("cash", _("Cash"))],
    )
    check_number = forms.CharField(label=_("Check number"), max_length=15, required=False)
    payer_name = forms.CharField(label=_("Payer"), max_length=120, required=False)


class LockboxUploadForm(forms.Form):
    file = forms.FileField(label=_("Lockbox file (CSV)"))


def _return_reason_choices() -> list[tuple[str, str]]:
    checks = [(r.value, f"{_('Check')}: {r.label}") for r in CheckReturnReason]
    ach = [(code, f"ACH {code}: {r.title}") for code, r in ACH_RETURN_REASONS.items()]
    return checks + ach


class PaymentReturnForm(forms.Form):
    payment_id = forms.IntegerField(label=_("Payment number (P…)"), min_value=1)
    reason_code = forms.ChoiceField(label=_("Return reason"), choices=_return_reason_choices)
    returned_on = forms.DateField(
        label=_("Returned on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ReportDayForm(forms.Form):
    day = forms.DateField(label=_("Business day"), widget=forms.DateInput(attrs={"type": "date"}))
