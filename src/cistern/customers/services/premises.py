"""Premises: creating service locations, and keeping what their rates price on.

``premise_create`` adds a location with its structured address and APN.
``premise_rating_update`` changes the household size, irrigated area, landscape factor, ET
zone, sewer strength class and water-budget variance that water-budget and sewer rates read
(``cistern.billing.attributes``); a variance is an exception to the rates, so only an
approver's role may change it, and only with a reason.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cistern.core.audit import audit_record, changed_fields
from cistern.core.errors import ServiceError
from cistern.customers.domain.contact_details import apn_normal, postal_code_normal, state_normal
from cistern.customers.models import Premise, PremiseClass
from cistern.staff.permissions import Action, can

HUNDREDTH = Decimal("0.01")

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


# --- What water-budget and sewer rates price on -------------------------------------------

MAX_HOUSEHOLD_SIZE = 99
MAX_IRRIGATED_AREA_SQFT = 50_000_000  # about 1,150 acres: more is a typing slip
MAX_LANDSCAPE_FACTOR = Decimal("1.5")
MAX_VARIANCE_CCF = Decimal("9999.99")

PREMISE_HOUSEHOLD_INVALID = _("Household size must be a whole number of persons, 0 to 99.")
PREMISE_AREA_INVALID = _("Irrigated area must be whole square feet, 0 to 50,000,000.")
PREMISE_LANDSCAPE_FACTOR_INVALID = _(
    "Landscape factor must be from 0 to 1.5 with at most two decimals, or empty to use the "
    "rate schedule's."
)
PREMISE_ET_ZONE_UNKNOWN = _(
    "ET zone “{zone}” is not in the reference ET table; choose one of: {zones} (a Manager adds "
    "zones under Rates, Reference ET)."
)
PREMISE_STRENGTH_UNKNOWN = _(
    "Strength class “{strength}” has no price in any sewer schedule; choose one of: {known}."
)
PREMISE_VARIANCE_INVALID = _(
    "The variance must be CCF per billing period, 0 to 9999.99, with at most two decimals."
)
PREMISE_VARIANCE_REASON_MISSING = _(
    "Say why the variance was approved (for example: medical certification, 7-person "
    "household, pool)."
)
PREMISE_VARIANCE_NOT_ALLOWED = _(
    "Only a CSR Senior or the Customer Relations Manager may approve a water-budget variance."
)
PREMISE_NOT_FOUND = _("That premise does not exist.")

RATING_FIELDS = (
    "household_size",
    "irrigated_area_sqft",
    "landscape_factor",
    "et_zone",
    "strength_class",
    "budget_variance_ccf",
)


def _whole(value: Any, top: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        return None
    return value


def _decimal_in(value: Any, top: Decimal) -> Decimal | None:
    """`value` as a Decimal from 0 to `top` with at most two decimals, else None."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    exponent = number.as_tuple().exponent
    if not number.is_finite() or not 0 <= number <= top or not isinstance(exponent, int):
        return None
    return number.quantize(HUNDREDTH) if exponent >= -2 else None


def _rating_checked(fields: dict[str, Any]) -> dict[str, Any]:
    from cistern.rates.et import et_zones
    from cistern.rates.strength import strength_classes_priced

    household = _whole(fields["household_size"], MAX_HOUSEHOLD_SIZE)
    if household is None:
        raise ServiceError(str(PREMISE_HOUSEHOLD_INVALID), field="household_size")
    area = _whole(fields["irrigated_area_sqft"], MAX_IRRIGATED_AREA_SQFT)
    if area is None:
        raise ServiceError(str(PREMISE_AREA_INVALID), field="irrigated_area_sqft")
    factor = fields["landscape_factor"]
    if factor is not None and str(factor).strip() != "":
        factor = _decimal_in(factor, MAX_LANDSCAPE_FACTOR)
        if factor is None:
            raise ServiceError(str(PREMISE_LANDSCAPE_FACTOR_INVALID), field="landscape_factor")
    else:
        factor = None
    zone = _tidy(fields["et_zone"])
    if zone and zone not in (zones := et_zones()):
        listed = ", ".join(zones) or "—"
        message = str(PREMISE_ET_ZONE_UNKNOWN).format(zone=zone, zones=listed)
        raise ServiceError(message, field="et_zone")
    strength = _tidy(fields["strength_class"])
    if strength and strength not in (known := strength_classes_priced()):
        listed = ", ".join(known) or "—"
        message = str(PREMISE_STRENGTH_UNKNOWN).format(strength=strength, known=listed)
        raise ServiceError(message, field="strength_class")
    variance = _decimal_in(fields["budget_variance_ccf"], MAX_VARIANCE_CCF)
    if variance is None:
        raise ServiceError(str(PREMISE_VARIANCE_INVALID), field="budget_variance_ccf")
    return {
        "household_size": household,
        "irrigated_area_sqft": area,
        "landscape_factor": factor,
        "et_zone": zone,
        "strength_class": strength,
        "budget_variance_ccf": variance,
    }


def _rating_values(premise: Premise) -> dict[str, Any]:
    values = {name: getattr(premise, name) for name in RATING_FIELDS}
    for name in ("landscape_factor", "budget_variance_ccf"):
        if values[name] is not None:
            values[name] = Decimal(values[name]).quantize(HUNDREDTH)
    return values


def premise_rating_update(
    *,
    premise_id: int,
    household_size: int,
    irrigated_area_sqft: int,
    landscape_factor: Decimal | str | None,
    et_zone: str,
    strength_class: str,
    budget_variance_ccf: Decimal | str,
    reason: str = "",
    actor: Any,
    account_id: int | None = None,
) -> Premise:
    """Change what the premise's water-budget and sewer rates price on; audited.

    All fields are checked before anything is written: a refusal changes nothing. A change of
    the variance needs an approver's role and a reason (kept in the audit trail). A call
    that changes nothing records nothing.
    """
    new = _rating_checked(
        {
            "household_size": household_size,
            "irrigated_area_sqft": irrigated_area_sqft,
            "landscape_factor": landscape_factor,
            "et_zone": et_zone,
            "strength_class": strength_class,
            "budget_variance_ccf": budget_variance_ccf,
        }
    )
    reason = _tidy(reason)
    with transaction.atomic():
        premise = Premise.objects.select_for_update().filter(pk=premise_id).first()
        if premise is None:
            raise ServiceError(str(PREMISE_NOT_FOUND))
        before, after = changed_fields(_rating_values(premise), new)
        if "budget_variance_ccf" in after:
            if not can(actor, Action.PREMISE_VARIANCE_APPROVE):
                raise ServiceError(str(PREMISE_VARIANCE_NOT_ALLOWED), field="budget_variance_ccf")
            if not reason:
                raise ServiceError(str(PREMISE_VARIANCE_REASON_MISSING), field="reason")
        if not after:
            return premise
        for name, value in after.items():
            setattr(premise, name, value)
        premise.save(update_fields=list(after))
        audit_record(
            actor=actor,
            action="premise.rating.update",
            subject=premise,
            before=before,
            after=after,
            reason=reason,
            account_id=account_id,
        )
    return premise
