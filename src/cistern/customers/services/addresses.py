"""Checking a postal address before a service stores it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cistern.core.errors import ServiceError
from cistern.customers.domain.contact_details import Address, address_problem

ADDRESS_LINE1_MISSING = _("Enter the street address (for example “123 Oak Ave” or “PO Box 12”).")
ADDRESS_CITY_MISSING = _("Enter the city.")
ADDRESS_STATE_INVALID = _("Enter the two-letter state code, for example CA.")
ADDRESS_POSTAL_CODE_INVALID = _("Enter a 5-digit ZIP code, or ZIP+4 like 95616-1234.")

_MESSAGES = {
    "line1_missing": ADDRESS_LINE1_MISSING,
    "city_missing": ADDRESS_CITY_MISSING,
    "state_invalid": ADDRESS_STATE_INVALID,
    "postal_code_invalid": ADDRESS_POSTAL_CODE_INVALID,
}


def address_checked(address: Address) -> Address:
    """The address normalized (spaces, capitals), or ServiceError naming the field at fault."""
    normal = address.normalized()
    problem = address_problem(normal)
    if problem is not None:
        field, key = problem
        raise ServiceError(str(_MESSAGES[key]), field=field)
    return normal
