"""Rate versions are validated before they are stored and frozen once used on a posted bill."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from cistern.billing.services import (
    bill_run_calculate,
    bill_run_create,
    bill_run_post,
    bill_run_review,
)
from cistern.core.errors import ServiceError
from cistern.ledger.chart_services import ledger_chart_seed
from cistern.rates.models import RateVersion
from cistern.rates.selectors import domain_version
from cistern.rates.services import (
    VERSION_FROZEN,
    rate_version_create,
    rate_version_is_frozen,
    rate_version_update,
)
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db):
    return staff_user(Role.MANAGER)


@pytest.fixture
def clerk(db):
    ledger_chart_seed()
    return staff_user(Role.CSR_III)


def test_a_new_version_is_stored_with_its_resolution_and_reads_back_exactly(manager) -> None:
    water, _ = makers.rate_schedules(manager)
    assert (water.effective_from, water.resolution_number) == (date(2024, 1, 1), "2024-31")
    assert water.resolution_date == date(2024, 12, 10)
    version = domain_version(water)
    assert version.version_id == str(water.pk)
    assert [c.code for c in version.components] == ["base", "use"]


def test_a_document_with_a_typo_is_refused_and_nothing_is_stored(manager) -> None:
    makers.rate_schedules(manager)
    document = copy.deepcopy(makers.WATER_DOCUMENT)
    document["effective_from"] = "2026-07-01"
    document["components"][1]["tiers"][1]["prise"] = "3.00"
    before = RateVersion.objects.count()
    with pytest.raises(ServiceError) as caught:
        rate_version_create(schedule=makers.water_schedule(), document=document, actor=manager)
    assert "components[1].tiers[1]: unknown field(s) prise" in caught.value.message
    assert caught.value.field == "document"
    assert RateVersion.objects.count() == before


def test_a_schedule_that_cannot_bill_a_sample_account_is_refused(manager) -> None:
    makers.rate_schedules(manager)
    document = {
        "effective_from": "2026-07-01",
        "components": [
            {"kind": "fixed", "code": "meter", "label": "Meter", "by_meter": {'1"': "30"}}
        ],
    }
    with pytest.raises(ServiceError) as caught:
        rate_version_create(schedule=makers.water_schedule(), document=document, actor=manager)
    assert "sample" in caught.value.message


def test_two_versions_on_the_same_day_are_refused(manager) -> None:
    makers.rate_schedules(manager)
    with pytest.raises(ServiceError):
        rate_version_create(
            schedule=makers.water_schedule(), document=makers.WATER_DOCUMENT, actor=manager
        )


def test_a_version_can_be_corrected_until_a_posted_bill_uses_it(clerk, manager) -> None:
    water, _ = makers.rate_schedules(manager)
    corrected = copy.deepcopy(makers.WATER_DOCUMENT)
    corrected["components"][0]["flat"] = "21.00"
    rate_version_update(record=water, document=corrected, actor=manager)
    # when a bill run posts with it
    acct = makers.account(billing_cycle=makers.cycle())
    makers.read(acct, date(2025, 1, 31), 7)
    run = bill_run_create(
        cycle=makers.cycle(), period_start=date(2025, 1, 1), period_end=date(2025, 1, 31),
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip
    bill_run_post(
        run=bill_run_review(run=bill_run_calculate(run=run, actor=clerk), actor=clerk), actor=clerk
    )
    # then it is frozen: a change must be a new version
    assert rate_version_is_frozen(record=water)
    with pytest.raises(ServiceError) as caught:
        rate_version_update(record=water, document=makers.WATER_DOCUMENT, actor=manager)
    assert caught.value.message == VERSION_FROZEN
    water.refresh_from_db()
    assert water.document["components"][0]["flat"] == "21.00"
