"""Creating premises: service locations with their structured address and APN."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.domain.contact_details import apn_normal, postal_code_normal, state_normal
from cistern.customers.models import Premise, PremiseClass

PREMISE_STREET_NUMBER_MISSING = _("Enter the street number of the service address.")
PREMISE_STREET_NAME_MISSING = _("Enter the street name, for example “Oak Ave”.")
PREMISE_CITY_MISSING = _("Enter the city of the service address.")
PREMISE_STATE_INVALID = _("Enter the two-letter state code, for example CA.")
PREMISE_POSTAL_CODE_INVALID = _("Enter a 5-digit ZIP code, or ZIP+4 like 95616-1234.")
PREMISE_APN_INVALID = _("Enter the APN as digits and dashes, for example 069-231-014.")
PREMISE_CLASS_INVALID = _("Choose the premise class (single-family, commercial, ...).")
PREMISE_DWELLING_UNITS_INVALID = _("Dwelling units must be a whole number, 1 or more.")


def _tidy(text: str) -> str:
    return " ".join((text or "").split())


def _premise_checked(fields: dict[str, Any]) -> dict[str, Any]:
    missing = [
        ("street_number", PREMISE_STREET_NUMBER_MISSING),
        ("street_name", PREMISE_STREET_NAME_MISSING),
        ("city", PREMISE_CITY_MISSING),
    ]
    for name, message in missing:
        if not fields[name]:
            raise ServiceError(str(message), field=name)
    state, postal, apn = (
        state_normal(fields["state"]),
        postal_code_normal(fields["postal_code"]),
        apn_normal(fields["apn"]),
    )
    if state is None:
        raise ServiceError(str(PREMISE_STATE_INVALID), field="state")
    if postal is None:
        raise ServiceError(str(PREMISE_POSTAL_CODE_INVALID), field="postal_code")
    if apn is None:
        raise ServiceError(str(PREMISE_APN_INVALID), field="apn")
    if fields["premise_class"] not in PremiseClass.values:
        raise ServiceError(str(PREMISE_CLASS_INVALID), field="premise_class")
    units = fields["dwelling_units"]
    if not isinstance(units, int) or isinstance(units, bool) or units < 1:
        raise ServiceError(str(PREMISE_DWELLING_UNITS_INVALID), field="dwelling_units")
    return {**fields, "state": state, "postal_code": postal, "apn": apn}


def premise_create(
    *,
    street_number: str,
    street_name: str,
    city: str,
    postal_code: str,
    premise_class: str = PremiseClass.SINGLE_FAMILY,
    unit: str = "",
    state: str = "CA",
    apn: str = "",
    dwelling_units: int = 1,
    in_district: bool = True,
    route_id: int | None = None,
    read_sequence: int = 0,
    cycle_id: int | None = None,
    actor: Any,
) -> Premise:
    """A new service location. Accounts opened at it are found by its address and APN."""
    fields = _premise_checked(
        {
            "street_number": _tidy(street_number),
            "street_name": _tidy(street_name),
            "unit": _tidy(unit),
            "city": _tidy(city),
            "state": state,
            "postal_code": postal_code,
            "apn": apn,
            "premise_class": premise_class,
            "dwelling_units": dwelling_units,
        }
    )
    with transaction.atomic():
        premise = Premise.objects.create(
            **fields,
            in_district=in_district,
            route_id=route_id,
            read_sequence=read_sequence,
            cycle_id=cycle_id,
        )
        audit_record(actor=actor, action="premise.create", subject=premise, after=fields)
    return premise
