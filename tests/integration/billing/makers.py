"""A small billing cycle built straight from the models: accounts, meters, reads, rates.

The rate schedule ("Residential water" + sewer) is simple enough to check by hand:
water $20.00 base per 30 days, $2.00/CCF for 0-10 CCF and $3.00/CCF above; sewer $1.50/CCF.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time
from decimal import Decimal

from cistern.billing.models import BillingCycle
from cistern.customers.models import Account, AccountService, Customer, Premise
from cistern.metering.models import Meter, MeterInstallation, MeterRead, Route
from cistern.rates.models import RateSchedule, RateVersion
from cistern.rates.services import rate_schedule_create, rate_version_create

_serial = itertools.count(1)
START = date(2024, 1, 1)

WATER_DOCUMENT = {
    "effective_from": "2024-01-01",
    "resolution_number": "2024-31",
    "resolution_date": "2024-12-10",
    "nominal_days": 30,
    "normal_days": [28, 31],
    "components": [
        {"kind": "fixed", "code": "base", "label": "Base charge", "flat": "20.00"},
        {
            "kind": "tiered",
            "code": "use",
            "label": "Water use",
            "unit": "ccf",
            "tiers": [{"start": "0", "price": "2.00"}, {"start": "10", "price": "3.00"}],
        },
    ],
}
SEWER_DOCUMENT = {
    "effective_from": "2024-01-01",
    "components": [
        {"kind": "sewer", "code": "sewer", "label": "Sewer", "unit": "ccf", "price": "1.50"}
    ],
}


def rate_schedules(actor) -> tuple[RateVersion, RateVersion]:
    water = rate_schedule_create(name="Residential water", service="water", classes=[], actor=actor)
    sewer = rate_schedule_create(name="Sewer", service="sewer", classes=[], actor=actor)
    return (
        rate_version_create(schedule=water, document=WATER_DOCUMENT, actor=actor),
        rate_version_create(schedule=sewer, document=SEWER_DOCUMENT, actor=actor),
    )


def water_schedule() -> RateSchedule:
    return RateSchedule.objects.get(name="Residential water")


def cycle(code: str = "C1") -> BillingCycle:
    found, _ = BillingCycle.objects.get_or_create(
        code=code, defaults={"name": f"Cycle {code}", "frequency": "monthly"}
    )
    return found


def account(
    *,
    billing_cycle: BillingCycle,
    premise_class: str = "sfr",
    services: tuple[str, ...] = ("water", "sewer"),
    meter: bool = True,
) -> Account:
    n = next(_serial)
    route, _ = Route.objects.get_or_create(
        code=f"R{billing_cycle.code}", defaults={"name": "Route", "cycle": billing_cycle}
    )
    customer = Customer.objects.create(last_name=f"Tester{n}", display_name=f"Tester{n}, Pat")
    premise = Premise.objects.create(
        street_number=str(n), street_name="Bill Ave", city="Cistern", postal_code="95000",
        premise_class=premise_class, route=route, read_sequence=n, cycle=billing_cycle,
    )  # fmt: skip
    acct = Account.objects.create(
        number=f"BT{n:08d}", customer=customer, premise=premise, status="active", start_date=START
    )
    for service in services:
        AccountService.objects.create(account=acct, service=service, started_on=START)
    if meter:
        m = Meter.objects.create(serial=f"BM{n:06d}", size="5/8", unit="ccf", status="installed")
        MeterInstallation.objects.create(meter=m, premise=premise, installed_on=START)
    return acct


def read(
    acct: Account, on: date, volume: str | int, *, review: str = "accepted", raw: int = 0
) -> MeterRead:
    installation = MeterInstallation.objects.filter(premise=acct.premise).latest("installed_on")
    moment = datetime.combine(on, time(9), tzinfo=UTC)
    return MeterRead.objects.create(
        installation=installation, read_at=moment, read_on=on, raw_value=raw,
        read_type="actual", volume=Decimal(volume), review=review, recorded_at=moment,
    )  # fmt: skip
