"""A premise with an installed meter and an active account, built straight from the models."""

from datetime import date
from decimal import Decimal

import pytest

from cistern.billing.models import BillingCycle
from cistern.customers.models import Account, Customer, Premise
from cistern.metering.models import Meter, MeterInstallation, Route


@pytest.fixture
def installed_meter(db):
    cycle = BillingCycle.objects.create(code="C1", name="Cycle 1", frequency="monthly")
    route = Route.objects.create(code="R01", name="Route 1", cycle=cycle)
    premise = Premise.objects.create(
        street_number="123", street_name="Oak Ave", city="Riverbend", postal_code="95601",
        premise_class="sfr", route=route, read_sequence=1, cycle=cycle,
    )  # fmt: skip
    customer = Customer.objects.create(
        first_name="Maria", last_name="Garcia", display_name="Garcia, Maria"
    )
    Account.objects.create(
        number="10000014", customer=customer, premise=premise, status="active",
        start_date=date(2024, 1, 1),
    )  # fmt: skip
    meter = Meter.objects.create(
        serial="M100", size="5/8", unit="ccf", dials=6, multiplier=Decimal(1),
        ami_endpoint_id="EP-100", status="installed",
    )  # fmt: skip
    MeterInstallation.objects.create(meter=meter, premise=premise, installed_on=date(2024, 1, 1))
    return meter
