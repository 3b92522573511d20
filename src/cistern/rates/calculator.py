"""The bill calculator: a bill for an account or for typed-in attributes, under chosen rates.

Reads only: nothing is stored. With an account, its class, meter, dwelling units and open
services come from the records, and usage from its billable reads in the period unless a
usage is typed. With one rate version chosen, only that version rates (a proposed rate);
otherwise every schedule that applies, with the versions in effect over the period.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from cistern.billing.inputs import load_inputs
from cistern.billing.rating import CategorizedLine, NoRate, RaterSet
from cistern.customers.models import Account
from cistern.rates.domain import BillingPeriod, District, Rater, RatingAttributes, RatingError
from cistern.rates.domain import VolumeUnit as Unit
from cistern.rates.models import RateVersion
from cistern.rates.selectors import domain_version


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
    account = (
        Account.objects.select_related("premise").filter(number=request.account_number).first()
    )
    if account is None:
        raise CalculatorError(f"No account {request.account_number}.")
    (item,) = load_inputs([account], first_day=request.first_day, last_day=request.last_day)
    attrs = replace(
        item.attrs,
        household_size=request.attrs.household_size,
        irrigated_area_sqft=request.attrs.irrigated_area_sqft,
    )
    if request.usage is not None:
        return attrs, frozenset(item.services), request.usage, request.unit, ""
    note = "Usage estimated from history." if item.estimated else "Usage from billable reads."
    return attrs, frozenset(item.services), item.usage, item.unit, note


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
    irrigated_area_sqft: Decimal,
    in_district: bool,
) -> RatingAttributes:
    return RatingAttributes(
        customer_class=premise_class,
        meter_size=f'{meter_size}"',
        dwelling_units=dwelling_units,
        household_size=household_size,
        irrigated_area_sqft=irrigated_area_sqft,
        district=District.IN if in_district else District.OUT,
    )
