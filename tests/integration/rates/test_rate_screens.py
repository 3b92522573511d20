"""Rate screens: a new version with preview and validation, OWRS import, the calculator."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cistern.rates.models import RateVersion
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(db) -> Client:
    makers.rate_schedules(staff_user(Role.MANAGER))
    client = Client()
    client.force_login(staff_user(Role.MANAGER))
    return client


def _new_version_url() -> str:
    return reverse("rates:version_new", kwargs={"schedule_id": makers.water_schedule().pk})


def test_the_preview_bills_a_sample_month_and_saves_nothing(manager_client) -> None:
    document = dict(makers.WATER_DOCUMENT, effective_from="2026-07-01")
    response = manager_client.post(
        _new_version_url(), {"document": yaml.safe_dump(document), "preview": "1"}
    )
    text = response.content.decode()
    assert "Sample bill: 12 CCF" in text and "$46.00" in text  # 20 + 10x2 + 2x3
    assert RateVersion.objects.count() == 2


def test_saving_a_version_stores_it_from_its_effective_date(manager_client) -> None:
    document = dict(makers.WATER_DOCUMENT, effective_from="2026-07-01")
    response = manager_client.post(
        _new_version_url(), {"document": yaml.safe_dump(document), "save": "1"}
    )
    assert response.status_code == 302
    assert RateVersion.objects.filter(effective_from=date(2026, 7, 1)).exists()


def test_a_typo_is_shown_beside_the_document_and_nothing_is_saved(manager_client) -> None:
    response = manager_client.post(
        _new_version_url(), {"document": "effective_from: 2026-07-01\ncomponent: []", "save": "1"}
    )
    assert "unknown field(s) component" in response.content.decode()
    assert RateVersion.objects.count() == 2


OWRS = """
metadata:
  effective_date: 2026-07-01
  bill_frequency: monthly
rate_structure:
  sfr:
    service_charge: 15
    tier_starts: [0, 10]
    tier_prices: [2.5, 3.5]
    commodity_charge: Tiered
    bill: "commodity_charge+service_charge"
"""


def _import(client: Client, text: str):
    url = reverse("rates:owrs_import", kwargs={"schedule_id": makers.water_schedule().pk})
    upload = SimpleUploadedFile("rates.owrs", text.encode(), content_type="application/x-yaml")
    return client.post(url, {"file": upload})


def test_an_owrs_file_becomes_a_new_version_and_exports_again(manager_client) -> None:
    response = _import(manager_client, OWRS)
    assert response.status_code == 302
    record = RateVersion.objects.get(effective_from=date(2026, 7, 1))
    exported = manager_client.get(reverse("rates:owrs_export", kwargs={"version_id": record.pk}))
    assert yaml.safe_load(exported.content)["rate_structure"]["sfr"]["tier_prices"] == [2.5, 3.5]


def test_an_owrs_file_outside_the_supported_subset_is_refused_with_the_reason(
    manager_client,
) -> None:
    response = _import(
        manager_client, OWRS.replace("commodity_charge: Tiered", "commodity_charge: Magic")
    )
    assert response.status_code == 200
    assert "OWRS" in response.content.decode()
    assert RateVersion.objects.count() == 2


def test_an_owrs_class_that_is_not_a_premise_class_is_refused(manager_client) -> None:
    response = _import(manager_client, OWRS.replace("  sfr:", "  RESIDENTIAL_SINGLE:"))
    assert "is not a Cistern premise class" in response.content.decode()
    assert RateVersion.objects.count() == 2


def test_the_calculator_shows_a_bill_for_typed_in_attributes(manager_client) -> None:
    response = Client()
    response.force_login(staff_user(Role.CSR_I))
    page = response.get(
        reverse("rates:calculator"),
        {
            "premise_class": "sfr", "meter_size": "5/8", "dwelling_units": 1,
            "household_size": 3, "irrigated_area_sqft": 0, "in_district": "on",
            "usage": "12", "unit": "ccf", "first_day": "2025-01-01", "last_day": "2025-01-31",
        },
    )  # fmt: skip
    text = page.content.decode()
    assert "$64.00" in text and "Sewer" in text


def test_the_calculator_bills_an_account_from_its_reads(manager_client) -> None:
    acct = makers.account(billing_cycle=makers.cycle())
    makers.read(acct, date(2025, 1, 31), 12)
    page = manager_client.get(
        reverse("rates:calculator"),
        {
            "account_number": acct.number, "premise_class": "sfr", "meter_size": "5/8",
            "dwelling_units": 1, "household_size": 0, "irrigated_area_sqft": 0, "unit": "ccf",
            "first_day": "2025-01-01", "last_day": "2025-01-31",
        },
    )  # fmt: skip
    text = page.content.decode()
    assert "Usage from billable reads." in text and "$64.00" in text


def test_the_calculator_tries_one_chosen_version(manager_client) -> None:
    water = RateVersion.objects.get(schedule__name="Residential water")
    page = manager_client.get(
        reverse("rates:calculator"),
        {
            "premise_class": "sfr", "meter_size": "5/8", "dwelling_units": 1,
            "household_size": 0, "irrigated_area_sqft": 0, "usage": "12", "unit": "ccf",
            "first_day": "2025-01-01", "last_day": "2025-01-31", "version": water.pk,
            "in_district": "on",
        },
    )  # fmt: skip
    text = page.content.decode()
    assert "$46.00" in text and "<td>Sewer</td>" not in text


def test_a_calculator_without_usage_or_account_says_what_is_missing(manager_client) -> None:
    page = manager_client.get(
        reverse("rates:calculator"),
        {"premise_class": "sfr", "meter_size": "5/8", "dwelling_units": 1, "household_size": 0,
         "irrigated_area_sqft": 0, "unit": "ccf", "first_day": "2025-01-01",
         "last_day": "2025-01-31"},
    )  # fmt: skip
    assert "Enter the usage, or an account number." in page.content.decode()
