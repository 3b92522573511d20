"""Finance's ledger screens: who may see and change what, and what they show."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from cistern.ledger import codes
from cistern.ledger.models import AccountingPeriod, LedgerAccount
from cistern.ledger.services import Leg, journal_entry_post, journal_entry_reverse
from cistern.staff.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(finance, account):
    entry = journal_entry_post(
        idempotency_key="bill:view",
        effective_date=date(2025, 1, 5),
        source="bill",
        source_ref="B-77",
        legs=[Leg(codes.AR_WATER, 4200, account.id, "water"), Leg(codes.REV_WATER, -4200)],
        actor=finance,
    )
    return entry


def test_the_ledger_home_lists_recent_entries_and_says_it_is_in_balance(client_for, posted):
    page = client_for(Role.FINANCE).get(reverse("ledger:home")).content.decode()
    assert f"JE{posted.pk}" in page and "B-77" in page and "In balance" in page


def test_an_auditor_reads_the_chart_but_cannot_edit_it(client_for, finance) -> None:
    auditor = client_for(Role.AUDITOR)
    page = auditor.get(reverse("ledger:chart")).content.decode()
    assert codes.AR_WATER in page and "Add an account" not in page
    water = LedgerAccount.objects.get(code=codes.REV_WATER)
    assert auditor.get(reverse("ledger:account_edit", args=[water.pk])).status_code == 403
    assert auditor.post(reverse("ledger:account_create"), {}).status_code == 403


def test_finance_adds_an_account_through_the_form(client_for, finance) -> None:
    response = client_for(Role.FINANCE).post(
        reverse("ledger:account_create"),
        {"code": "4270-FEE-HYDRANT", "name": "Hydrant meter fees", "kind": "revenue",
         "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert LedgerAccount.objects.get(code="4270-FEE-HYDRANT").active


def test_a_duplicate_code_is_shown_beside_the_field_and_nothing_is_saved(client_for, finance):
    before = LedgerAccount.objects.count()
    response = client_for(Role.FINANCE).post(
        reverse("ledger:account_create"),
        {"code": codes.REV_WATER, "name": "Again", "kind": "revenue"},
    )
    assert response.status_code == 200
    assert "already in the chart of accounts" in response.content.decode()
    assert LedgerAccount.objects.count() == before


def test_an_account_with_postings_keeps_its_code_when_edited(client_for, posted) -> None:
    water = LedgerAccount.objects.get(code=codes.REV_WATER)
    response = client_for(Role.FINANCE).post(
        reverse("ledger:account_edit", args=[water.pk]),
        {"code": "CHANGED", "name": "Potable water sales", "kind": "expense", "active": "on",
         "reason": "clearer name"},
    )  # fmt: skip
    assert response.status_code == 302
    water.refresh_from_db()
    assert (water.code, water.kind, water.name) == (
        codes.REV_WATER,
        "revenue",
        "Potable water sales",
    )


def test_finance_closes_a_finished_month_from_the_periods_page(client_for, posted) -> None:
    client = client_for(Role.FINANCE)
    page = client.get(reverse("ledger:periods")).content.decode()
    assert "2025-01" in page
    response = client.post(reverse("ledger:period_close", args=["2025-01"]))
    assert response.status_code == 302
    assert AccountingPeriod.objects.get(start_date=date(2025, 1, 1)).is_closed


def test_a_refused_close_says_why(client_for, posted) -> None:
    client = client_for(Role.FINANCE)
    response = client.post(reverse("ledger:period_close", args=["2025-02"]), follow=True)
    assert "Close 2025-01 first" in response.content.decode()


def test_a_csr_iii_may_look_but_not_close_a_period(client_for, posted) -> None:
    client = client_for(Role.CSR_III)
    assert client.get(reverse("ledger:periods")).status_code == 200
    assert client.post(reverse("ledger:period_close", args=["2025-01"])).status_code == 403


def test_the_trial_balance_page_and_csv_balance(client_for, posted) -> None:
    client = client_for(Role.AUDITOR)
    page = client.get(reverse("ledger:trial_balance")).content.decode()
    assert "$42.00" in page and "Debits equal credits." in page
    csv_text = client.get(reverse("ledger:trial_balance_csv") + "?as_of=2025-01-31").content
    lines = csv_text.decode().splitlines()
    assert lines[0] == "code,name,kind,debit,credit"
    assert f"{codes.AR_WATER},Accounts receivable — water,asset,42.00,0.00" in lines


def test_the_chart_exports_as_csv(client_for, finance) -> None:
    response = client_for(Role.FINANCE).get(reverse("ledger:chart_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert codes.CASH_CLEARING in response.content.decode()


def test_an_entry_page_shows_its_postings_and_its_reversal(client_for, finance, posted) -> None:
    reversal = journal_entry_reverse(
        entry=posted, effective_date=date(2025, 1, 9), reason="wrong meter", actor=finance
    )
    client = client_for(Role.FINANCE)
    page = client.get(reverse("ledger:entry_detail", args=[posted.pk])).content.decode()
    assert f"JE{reversal.pk}" in page and "$42.00" in page and "Reversed" in page
    page = client.get(reverse("ledger:entry_detail", args=[reversal.pk])).content.decode()
    assert "This entry reverses" in page
    assert client.get(reverse("ledger:entry_detail", args=[999999])).status_code == 404
