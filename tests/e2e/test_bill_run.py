"""A CSR III bills a small cycle in the browser: draft, release an exception, post, issue,
and opens a bill's PDF."""

from __future__ import annotations

from datetime import date

import pytest

from cistern.billing.models import Bill
from cistern.ledger.chart_services import ledger_chart_seed
from cistern.staff.roles import Role
from tests.e2e.conftest import sign_in
from tests.factories.staff import staff_user
from tests.integration.billing import makers
from tests.integration.billing.test_documents_support import scannable_account


@pytest.fixture
def small_cycle(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ledger_chart_seed()
    makers.rate_schedules(staff_user(Role.MANAGER))
    cycle = makers.cycle()
    accounts = [scannable_account(cycle) for _ in range(3)]
    for n, acct in enumerate(accounts[:2]):
        makers.read(acct, date(2025, 1, 31), 9 + n, raw=100 + n)
    # the third account has no read: its bill is estimated, an exception to release
    return accounts


def test_a_csr_iii_runs_a_cycle_and_opens_a_bill_pdf(page, small_cycle) -> None:
    sign_in(page, Role.CSR_III)
    page.goto("/billing/runs/")
    page.get_by_label("Billing cycle").select_option(label="C1 Cycle C1")
    page.get_by_label("First service day").fill("2025-01-01")
    page.get_by_label("Last service day").fill("2025-01-31")
    page.get_by_label("Bill date").fill("2025-02-03")
    page.get_by_label("Due date").fill("2025-02-24")
    with page.expect_navigation():
        page.get_by_role("button", name="Create").click()
    page.get_by_role("button", name="Calculate (dry run)").click()
    page.wait_for_selector("text=Estimated read")
    page.locator("input[name=reason]").first.fill("No access this month; estimate is fair")
    page.get_by_role("button", name="Release", exact=True).first.click()
    page.get_by_role("button", name="Mark reviewed").click()
    page.get_by_role("button", name="Post bills to the ledger").click()
    page.get_by_role("button", name="Mark issued").click()
    page.wait_for_selector("text=Index of the print file (CSV)")
    assert Bill.objects.filter(status="posted").count() == 3
    page.get_by_role("link", name=small_cycle[0].number).first.click()
    link = page.get_by_role("link", name="Open the bill (PDF)")
    response = page.request.get(link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
