"""The bill calculator: a bill for an account or for typed-in attributes, under chosen rates.

Reads only: nothing is stored. Choosing an account fills the form with its premise's rating
data (``account_values``: class, meter, dwelling units, household, irrigated area, landscape
factor, ET zone, strength class, variance, and the sewer cap in force), which the user may
then change to try "what if". The attributes are built by the same function a bill run uses
(``cistern.billing.attributes.rating_attributes``), with the ET of the zone over the period
(``cistern.rates.et``). With an account, its open services come from the records, and usage
from its billable reads in the period unless a usage is typed. With one rate version chosen,
only that version rates (a proposed rate); otherwise every schedule that applies, with the
versions in effect over the period.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q

from cistern.billing.attributes import rating_attributes
from cistern.billing.inputs import load_inputs
from cistern.billing.rating import CategorizedLine, NoRate, RaterSet
from cistern.customers.models import Account
from cistern.metering.models import MeterInstallation, MeterSize
from cistern.rates.domain import BillingPeriod, Rater, RatingAttributes, RatingError
from cistern.rates.domain import VolumeUnit as Unit
from cistern.rates.et import et_for_period
from cistern.rates.models import RateVersion
from cistern.rates.selectors import domain_version
from cistern.rates.sewer_caps import sewer_caps_in_force


@dataclass(frozen=True)
class CalculatorInput:
    first_day: date
    last_day: date  # inclusive
    usage: Decimal | None
    unit: Unit
    attrs: RatingAttributes
    services: frozenset[str] = frozenset({"water", "sewer"})
    account_number: str = ""
    version_id: int | None = None


@dataclass(frozen=True)
class CalculatorResult:
    lines: list[CategorizedLine]
    total_cents: int
    usage: Decimal
    unit: Unit
    attrs: RatingAttributes
    note: str = ""


class CalculatorError(Exception):
    pass


def calculator_bill(request: CalculatorInput) -> CalculatorResult:
    """The bill for ``request``; `CalculatorError` saying what is missing or wrong."""
    attrs, services, usage, unit, note = _inputs(request)
    try:
        if request.version_id is not None:
            lines = _one_version(request, attrs, usage, unit)
        else:
            lines = RaterSet.for_period(period_end=request.last_day).rate(
                attrs=attrs, services=set(services), usage=usage, unit=unit,
                first_day=request.first_day, last_day=request.last_day,
            )  # fmt: skip
    except (NoRate, RatingError) as error:
        raise CalculatorError(str(error)) from error
    total = sum(c.line.amount_cents for c in lines)
    return CalculatorResult(lines, total, usage, unit, attrs, note)


def _inputs(
    request: CalculatorInput,
) -> tuple[RatingAttributes, frozenset[str], Decimal, Unit, str]:
    if not request.account_number:
        return request.attrs, request.services, request.usage or Decimal(0), request.unit, ""
    account = _account(request.account_number)
    if account is None:
        raise CalculatorError(f"No account {request.account_number}.")
    (item,) = load_inputs([account], first_day=request.first_day, last_day=request.last_day)
    if request.usage is not None:
        return request.attrs, frozenset(item.services), request.usage, request.unit, ""
    note = "Usage estimated from history." if item.estimated else "Usage from billable reads."
    return request.attrs, frozenset(item.services), item.usage, item.unit, note


def _account(number: str) -> Account | None:
    return Account.objects.select_related("premise").filter(number=number.strip()).first()


def _one_version(
    request: CalculatorInput, attrs: RatingAttributes, usage: Decimal, unit: Unit
) -> list[CategorizedLine]:
    record = RateVersion.objects.select_related("schedule").filter(pk=request.version_id).first()
    if record is None:
        raise CalculatorError("That rate version does not exist.")
    version = domain_version(record)
    # Rate the period as if this version were in effect throughout (a "what if").
    version = replace(version, effective_from=min(version.effective_from, request.first_day))
    period = BillingPeriod(request.first_day, request.last_day + timedelta(days=1))
    bill = Rater([version]).rate(attrs, usage, unit, period)
    sewer = {c.code for c in version.components if c.kind == "sewer"}
    service = record.schedule.service
    return [CategorizedLine(ln, "sewer" if ln.code in sewer else service) for ln in bill.lines]


def attributes(
    *,
    premise_class: str,
    meter_size: str,
    dwelling_units: int,
    household_size: int,
    irrigated_area_sqft: Decimal | int,
    in_district: bool,
    first_day: date,
    last_day: date,
    landscape_factor: Decimal | None = None,
    et_zone: str = "",
    strength_class: str = "",
    sewer_cap_ccf: Decimal | None = None,
    variance_ccf: Decimal | int = 0,
) -> RatingAttributes:
    """The attributes a bill run would build from these values, ET looked up for the period."""
    et_inches = Decimal(0)
    if et_zone:
        found = et_for_period(first_day=first_day, last_day=last_day, zones=[et_zone])
        et_inches = found.get(et_zone, Decimal(0))
    return rating_attributes(
        premise_class, meter_size, dwelling_units, in_district, household_size,
        irrigated_area_sqft, landscape_factor, et_inches, strength_class, sewer_cap_ccf,
        variance_ccf,
    )  # fmt: skip


def account_values(number: str, *, on: date) -> dict[str, Any] | None:
    """The calculator's attribute fields as the account's records give them on `on`
    (None when there is no such account)."""
    account = _account(number)
    if account is None:
        return None
    premise = account.premise
    meter = (
        MeterInstallation.objects.filter(premise_id=premise.pk, installed_on__lte=on)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gte=on))
        .select_related("meter")
        .order_by("installed_on", "id")
        .last()
    )
    cap = sewer_caps_in_force(account_ids=[account.pk], on=on).get(account.pk)
    return {
        "premise_class": premise.premise_class,
        "meter_size": meter.meter.size if meter else MeterSize.S5_8.value,
        "dwelling_units": premise.dwelling_units,
        "in_district": premise.in_district,
        "household_size": premise.household_size,
        "irrigated_area_sqft": premise.irrigated_area_sqft,
        "landscape_factor": premise.landscape_factor,
        "et_zone": premise.et_zone,
        "strength_class": premise.strength_class,
        "budget_variance_ccf": premise.budget_variance_ccf,
        "sewer_cap_ccf": cap,
    }
