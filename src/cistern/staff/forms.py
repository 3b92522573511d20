"""Forms for sign-in adjacent pages and staff user management."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cistern.staff.roles import Role


class StaffUserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not a common password. Tell the user in person."),
    )


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("New role"), choices=Role.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
