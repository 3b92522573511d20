"""The bill calculator with an account: its premise's rating data fills the form, the bill
uses the ET of its zone over the period and its sewer cap, exactly as typed attributes would."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cistern.customers.models import Premise
from cistern.rates.calculator import CalculatorInput, calculator_bill
from cistern.rates.domain import District, RatingAttributes, VolumeUnit
from cistern.rates.models import SewerCap, SewerCapRun
from cistern.rates.services import rate_schedule_create, rate_version_create
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db

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
JULY = {"first_day": "2025-07-01", "last_day": "2025-07-31", "usage": "20", "unit": "ccf"}


@pytest.fixture
def home(db):
    manager = staff_user(Role.MANAGER)
    water = rate_schedule_create(name="Budget water", service="water", classes=[], actor=manager)
    sewer = rate_schedule_create(name="Sewer", service="sewer", classes=[], actor=manager)
    rate_version_create(schedule=water, document=BUDGET_WATER, actor=manager)
    rate_version_create(schedule=sewer, document=CAPPED_SEWER, actor=manager)
    account = makers.account(billing_cycle=makers.cycle())
    Premise.objects.filter(pk=account.premise_id).update(
        household_size=4, irrigated_area_sqft=1000, et_zone="14", budget_variance_ccf=2
    )
    run = SewerCapRun.objects.create(year=2025, months="11,12,1,2,3", ran_at="2025-06-01T00:00Z")
    SewerCap.objects.create(account=account, year=2025, cap_ccf=5, winter_bills=5, run=run)
    return account


@pytest.fixture
def csr() -> Client:
    client = Client()
    client.force_login(staff_user(Role.CSR_I))
    return client


def _by_hand(**changes: object) -> int:
    """The total for the same bill from attributes written out by hand (no account)."""
    values: dict[str, object] = {
        "customer_class": "sfr", "meter_size": '5/8"', "household_size": 4,
        "irrigated_area_sqft": Decimal(1000), "et_inches": Decimal("8.68"),
        "variance_ccf": Decimal(2), "sewer_cap_ccf": Decimal(5), "district": District.IN,
    }  # fmt: skip
    values.update(changes)
    result = calculator_bill(
        CalculatorInput(
            first_day=date(2025, 7, 1), last_day=date(2025, 7, 31), usage=Decimal(20),
            unit=VolumeUnit.CCF, attrs=RatingAttributes(**values),  # type: ignore[arg-type]
        )
    )  # fmt: skip
    return result.total_cents


def _dollars(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def test_an_account_fills_in_its_premise_and_is_billed_with_its_zones_et_and_sewer_cap(
    home, csr
) -> None:
    page = csr.get(reverse("rates:calculator"), {"account_number": home.number, **JULY})
    text = page.content.decode()
    assert "Household 4, irrigated area 1000 sq ft, ET over the period 8.68 in." in text
    assert "Variance 2.00 CCF." in text and "Sewer cap 5 CCF." in text
    assert _dollars(_by_hand()) in text
    assert _by_hand() != _by_hand(et_inches=Decimal(0))  # the ET really moves the bill
    assert 'name="household_size" value="4"' in text
    assert f'name="filled_from" value="{home.number}"' in text


def test_fill_from_account_fills_the_fields_without_calculating(home, csr) -> None:
    page = csr.get(
        reverse("rates:calculator"), {"account_number": home.number, "fill": "1", **JULY}
    )
    text = page.content.decode()
    assert 'name="irrigated_area_sqft" value="1000"' in text
    assert '<option value="14" selected>14</option>' in text
    assert 'name="sewer_cap_ccf" value="5"' in text
    assert "ET over the period" not in text  # nothing calculated yet


def test_values_changed_after_filling_are_a_what_if_for_the_same_account(home, csr) -> None:
    filled = {
        "account_number": home.number, "filled_from": home.number, "premise_class": "sfr",
        "meter_size": "5/8", "dwelling_units": 1, "in_district": "on", "household_size": 6,
        "irrigated_area_sqft": 1000, "et_zone": "14", "budget_variance_ccf": "2",
        "sewer_cap_ccf": "5", **JULY,
    }  # fmt: skip
    text = csr.get(reverse("rates:calculator"), filled).content.decode()
    assert "Household 6," in text
    assert _dollars(_by_hand(household_size=6)) in text
    assert Premise.objects.get(pk=home.premise_id).household_size == 4  # nothing saved


def test_an_unknown_account_is_said_beside_the_account_number(home, csr) -> None:
    text = csr.get(reverse("rates:calculator"), {"account_number": "NOPE1", **JULY}).content
    assert b"No account NOPE1." in text
