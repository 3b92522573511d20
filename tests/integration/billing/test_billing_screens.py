"""The bill-run screens: who may see and act, hold/release with reasons, bills explained."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from cistern.billing.models import Bill, BillRun
from cistern.billing.services import bill_run_calculate, bill_run_create
from cistern.staff.permissions import PERMISSIONS, Action
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.billing import makers, route_samples

pytestmark = pytest.mark.django_db


def _client(role: Role) -> Client:
    client = Client()
    client.force_login(staff_user(role))
    return client


@pytest.fixture
def run(clerk, rates) -> BillRun:
    cycle = makers.cycle()
    held = makers.account(billing_cycle=cycle)
    makers.read(held, date(2025, 1, 31), 9, review="held")
    makers.read(makers.account(billing_cycle=cycle), date(2025, 1, 31), 12)
    created = bill_run_create(
        cycle=cycle, period_start=date(2025, 1, 1), period_end=date(2025, 1, 31),
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip
    return bill_run_calculate(run=created, actor=clerk)


def test_every_billing_and_rates_page_follows_the_permission_table(clerk) -> None:
    # given one of each object the routes point at
    world = None
    kwargs = {name: make(world) for name, make in route_samples.PARAM_SAMPLES.items()}
    pages = {
        "billing:runs": ({}, Action.BILLING_VIEW),
        "billing:run": ({"run_id": kwargs["run_id"]}, Action.BILLING_VIEW),
        "billing:bill": ({"bill_id": kwargs["bill_id"]}, Action.BILLING_VIEW),
        "billing:bill_cancel": ({"bill_id": kwargs["bill_id"]}, Action.BILL_CORRECT),
        "rates:schedules": ({}, Action.RATES_VIEW),
        "rates:version": ({"version_id": kwargs["version_id"]}, Action.RATES_VIEW),
        "rates:version_new": ({"schedule_id": kwargs["schedule_id"]}, Action.RATES_EDIT),
        "rates:calculator": ({}, Action.RATES_VIEW),
    }
    for name, (route_kwargs, action) in pages.items():
        url = reverse(name, kwargs=route_kwargs)
        for role in Role:
            status = _client(role).get(url).status_code
            expected = 200 if role in PERMISSIONS[action] else 403
            assert status == expected, f"{name} as {role.label}: {status}"


def test_the_run_screen_lists_exceptions_and_progress(run) -> None:
    page = _client(Role.AUDITOR).get(reverse("billing:run", kwargs={"run_id": run.pk}))
    text = page.content.decode()
    assert "Unreleased read exception" in text
    assert "0 of 2 bills posted" in text
    assert "Hold" not in text  # the auditor sees, never acts


def test_a_reviewer_holds_and_another_releases_on_the_screen(run) -> None:
    bill = run.bills.get(exceptions__kind="read_exception")
    carla, dev = _client(Role.CSR_III), _client(Role.CSR_SENIOR)
    carla.post(reverse("billing:bill_hold", kwargs={"bill_id": bill.pk}), {"reason": "Leak"})
    bill.refresh_from_db()
    assert bill.status == Bill.Status.HELD
    response = carla.post(
        reverse("billing:bill_release", kwargs={"bill_id": bill.pk}), {"reason": "ok"}, follow=True
    )
    assert "someone else must release it" in response.content.decode()
    dev.post(reverse("billing:bill_release", kwargs={"bill_id": bill.pk}), {"reason": "Reread ok"})
    bill.refresh_from_db()
    assert bill.status == Bill.Status.DRAFT


def test_the_bill_page_explains_every_line(run) -> None:
    bill = run.bills.exclude(exceptions__kind="read_exception").get()
    text = _client(Role.CSR_I).get(reverse("billing:bill", kwargs={"bill_id": bill.pk})).content
    text = text.decode()
    assert "Water use" in text and "tier 2" in text
    assert "2 ccf \u00d7 $3" in text
    assert "31 days from 2025-01-01" in text
    assert "$64.00" in text


def test_the_run_is_calculated_reviewed_and_posted_from_the_screen(run) -> None:
    client = _client(Role.CSR_III)
    for ex in run.exceptions.filter(bill__isnull=False):
        client.post(
            reverse("billing:bill_release", kwargs={"bill_id": ex.bill_id}), {"reason": "ok"}
        )
    for step in ("review", "post", "issue"):
        client.post(reverse("billing:run_step", kwargs={"run_id": run.pk, "step": step}))
    run.refresh_from_db()
    assert run.status == BillRun.Status.ISSUED
    assert run.bills.filter(status=Bill.Status.POSTED).count() == 2


def test_the_account_bills_partial_lists_an_accounts_bills(run) -> None:
    bill = run.bills.first()
    url = reverse("billing:account_bills", kwargs={"account_id": bill.account_id})
    assert bill.number in _client(Role.CSR_I).get(url).content.decode()
