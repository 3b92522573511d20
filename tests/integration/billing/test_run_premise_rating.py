"""A bill run rates each account with its premise's rating data, exactly as the calculator.

Household size, irrigated area, landscape factor, the ET of the premise's zone over the
period, the budget variance, the sewer strength class and the winter-average sewer cap in
force all reach the run's attributes; each bill equals the calculator's bill for the same
account, period and usage.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from cistern.billing.models import Bill
from cistern.billing.services import bill_run_calculate, bill_run_create
from cistern.customers.models import Account, Premise
from cistern.rates.calculator import CalculatorInput, account_values, attributes, calculator_bill
from cistern.rates.domain import VolumeUnit
from cistern.rates.models import SewerCap, SewerCapRun
from cistern.rates.services import rate_schedule_create, rate_version_create
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db

JULY_1, JULY_31 = date(2025, 7, 1), date(2025, 7, 31)
BUDGET_WATER = {
    "effective_from": "2024-01-01", "nominal_days": 30, "normal_days": [28, 31],
    "components": [
        {"kind": "fixed", "code": "base", "label": "Base charge", "flat": "20.00"},
        {"kind": "budget", "code": "use", "label": "Water use", "gpcd": "60",
         "landscape_factor": "0.7", "tiers": [
            {"start_kind": "zero", "price": "1.50"},
            {"start_kind": "indoor", "price": "2.00"},
            {"start_kind": "budget_fraction", "value": "1", "price": "3.00"},
            {"start_kind": "budget_fraction", "value": "1.5", "price": "5.00"}]},
    ],
}  # fmt: skip
CAPPED_SEWER = {
    "effective_from": "2024-01-01", "nominal_days": 30, "normal_days": [28, 31],
    "components": [{"kind": "sewer", "code": "sewer", "label": "Sewer", "unit": "ccf",
                    "price": "1.50", "cap_kind": "winter_average", "cap": "12"}],
}  # fmt: skip
STRENGTH_SEWER = {
    "effective_from": "2024-01-01",
    "components": [
        {"kind": "sewer", "code": "sewer", "label": "Sewer", "unit": "ccf",
         "prices_by_strength": {"": "4.10", "low": "4.10", "high": "7.85"}},
    ],
}  # fmt: skip


@pytest.fixture
def schedules(clerk) -> None:
    """Budget water and capped sewer for homes; the simple water and strength sewer for
    commercial premises."""
    manager = staff_user(Role.MANAGER)
    for name, service, classes, document in (
        ("Budget water", "water", ["sfr"], BUDGET_WATER),
        ("Home sewer", "sewer", ["sfr"], CAPPED_SEWER),
        ("Commercial water", "water", ["commercial"], makers.WATER_DOCUMENT),
        ("Commercial sewer", "sewer", ["commercial"], STRENGTH_SEWER),
    ):
        schedule = rate_schedule_create(name=name, service=service, classes=classes, actor=manager)
        rate_version_create(schedule=schedule, document=document, actor=manager)


def _cap(account: Account, ccf: int) -> None:
    run = SewerCapRun.objects.create(year=2025, months="11,12,1,2,3", ran_at="2025-06-01T00:00Z")
    SewerCap.objects.create(account=account, year=2025, cap_ccf=ccf, winter_bills=5, run=run)


def _calculator_total(account: Account, usage: Decimal) -> int:
    """The calculator's bill for the account's premise data and the same usage."""
    values = account_values(account.number, on=JULY_31)
    assert values is not None
    values["variance_ccf"] = values.pop("budget_variance_ccf")
    attrs = attributes(first_day=JULY_1, last_day=JULY_31, **values)
    result = calculator_bill(
        CalculatorInput(
            first_day=JULY_1, last_day=JULY_31, usage=usage, unit=VolumeUnit.CCF, attrs=attrs,
            services=frozenset(account.services.values_list("service", flat=True)),
        )
    )  # fmt: skip
    return result.total_cents


def test_a_run_bills_budget_strength_and_capped_accounts_as_the_calculator_does(
    clerk, schedules
) -> None:
    # given a home on a water budget, a home with a low sewer cap, a high-strength
    # commercial account, and a plain home, each with 20 CCF read in July
    cycle = makers.cycle()
    budget = makers.account(billing_cycle=cycle)
    Premise.objects.filter(pk=budget.premise_id).update(
        household_size=4, irrigated_area_sqft=1000, et_zone="14", landscape_factor="0.85",
        budget_variance_ccf="2.5",
    )  # fmt: skip
    capped = makers.account(billing_cycle=cycle)
    _cap(capped, 5)
    strong = makers.account(billing_cycle=cycle, premise_class="commercial")
    Premise.objects.filter(pk=strong.premise_id).update(strength_class="high")
    plain = makers.account(billing_cycle=cycle)
    accounts = [budget, capped, strong, plain]
    for account in accounts:
        makers.read(account, date(2025, 6, 30), 0)
        makers.read(account, JULY_31, 20)

    # when the cycle is billed for July
    run = bill_run_create(
        cycle=cycle, period_start=JULY_1, period_end=JULY_31,
        bill_date=JULY_31, due_date=JULY_31 + timedelta(21), actor=clerk,
    )  # fmt: skip
    bill_run_calculate(run=run, actor=clerk)

    # then each bill is the calculator's bill for the same account and usage
    totals = dict(Bill.objects.filter(run=run).values_list("account_id", "total_cents"))
    assert len(totals) == len(accounts)
    for account in accounts:
        assert totals[account.pk] == _calculator_total(account, Decimal(20)), account.number
    # and the premise data really moved the bills: the sewer cap, the strength price and
    # the budget each bill differently from the plain home's 20 CCF
    assert len({totals[a.pk] for a in accounts}) == len(accounts)
    sewer = dict(
        Bill.objects.filter(run=run, lines__code="sewer").values_list(
            "account_id", "lines__amount_cents"
        )
    )
    assert sewer[capped.pk] == 5 * 150  # 5 CCF cap at $1.50, not 20
    assert sewer[strong.pk] == 20 * 785  # the high-strength price
    assert sewer[plain.pk] == 12 * 150  # the schedule's default cap of 12 CCF
