"""The daily journal export to the district's general ledger: balanced, repeatable, recorded."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent
from cistern.ledger.chart_services import ledger_account_update
from cistern.ledger.models import LedgerAccount
from cistern.payments.domain.gl_journal import MSG_UNMAPPED
from cistern.payments.gl_export import gl_export_create
from cistern.payments.models import GLExport
from cistern.payments.services import CounterShare, CounterTender, payment_take_at_counter
from cistern.staff.roles import Role
from tests.factories.staff import staff_user

pytestmark = pytest.mark.django_db
# Fund 500 (water enterprise), department 40 (customer service), account = the code's digits.
FUND, DEPT = "500", "40"


def map_chart_to_gl(*, except_codes: tuple[str, ...] = ()) -> None:
    finance = staff_user(Role.FINANCE)
    for account in LedgerAccount.objects.exclude(code__in=except_codes):
        gl = account.code.split("-")[0]
        ledger_account_update(
            account=account, gl_fund=FUND, gl_department=DEPT, gl_account=gl, actor=finance
        )


def take_cash(drawer, account, cents: int, key: str):
    return payment_take_at_counter(
        drawer_id=drawer.pk, shares=[CounterShare(account.number, cents)],
        tender=CounterTender("cash", cents), idempotency_key=key, actor=drawer.cashier,
    )  # fmt: skip


def test_a_day_of_payments_exports_balanced_per_gl_account(drawer, maria, james) -> None:
    # given two cash payments today and a chart mapped to GL codes
    map_chart_to_gl()
    take_cash(drawer, maria, 8000, "gl-1")
    take_cash(drawer, james, 5000, "gl-2")
    today = timezone.localdate()
    # when Finance exports today's journal
    outcome = gl_export_create(day=today, actor=staff_user(Role.FINANCE))
    lines = outcome.content.split("\r\n")
    # then cash clearing is debited $130 and each receivable credited, with a balanced trailer
    assert f"D,{today},500,40,1010,130.00,0.00,Cistern daily journal {today}" in lines
    assert f"D,{today},500,40,1100,0.00,130.00,Cistern daily journal {today}" in lines
    assert lines[-2] == f"T,{today},,,,130.00,130.00,2 lines"
    export = outcome.export
    assert export.debit_total_cents == export.credit_total_cents == 13000
    assert export.file_sha256 == hashlib.sha256(outcome.content.encode()).hexdigest()
    assert AuditEvent.objects.filter(action="ledger.gl_export").count() == 1


def test_exporting_the_same_day_again_gives_the_identical_file_and_records_both(
    drawer, maria
) -> None:
    map_chart_to_gl()
    take_cash(drawer, maria, 2500, "gl-3")
    finance = staff_user(Role.FINANCE)
    first = gl_export_create(day=timezone.localdate(), actor=finance)
    again = gl_export_create(day=timezone.localdate(), actor=finance)
    assert again.content == first.content and again.same_as_previous is True
    assert first.same_as_previous is None
    assert (
        list(GLExport.objects.values_list("file_sha256", flat=True))
        == [first.export.file_sha256] * 2
    )


def test_a_day_with_an_unmapped_ledger_account_is_refused_and_nothing_is_recorded(
    drawer, maria
) -> None:
    # given cash clearing has no GL codes
    map_chart_to_gl(except_codes=("1010-CASH-CLEARING",))
    take_cash(drawer, maria, 2500, "gl-4")
    with pytest.raises(ServiceError) as refused:
        gl_export_create(day=timezone.localdate(), actor=staff_user(Role.FINANCE))
    expected = MSG_UNMAPPED.format(day=timezone.localdate(), codes="1010-CASH-CLEARING")
    assert refused.value.message == expected and refused.value.field == "day"
    assert not GLExport.objects.exists()


def test_the_day_is_the_postings_effective_date(maria) -> None:
    # given Maria's charges posted on 2025-01-15 and 2025-02-15 (the fixture)
    map_chart_to_gl()
    outcome = gl_export_create(day=date(2025, 1, 15), actor=staff_user(Role.FINANCE))
    assert "1100,80.00,0.00" in outcome.content and "4100,0.00,80.00" in outcome.content
    assert "4110" not in outcome.content
    with pytest.raises(ServiceError):
        gl_export_create(day=date(2025, 1, 15) + timedelta(days=1), actor=staff_user(Role.FINANCE))


def test_finance_previews_and_downloads_the_journal_on_screen(client_for, drawer, maria) -> None:
    map_chart_to_gl()
    take_cash(drawer, maria, 4000, "gl-5")
    finance = client_for(Role.FINANCE)
    today = timezone.localdate().isoformat()
    page = finance.get(reverse("payments:gl_export") + f"?day={today}").content.decode()
    assert "Control totals" in page and "$40.00" in page
    response = finance.post(reverse("payments:gl_export"), {"day": today})
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="gl-journal-{today}.csv"' in response["Content-Disposition"]
    assert response.content.decode().startswith("record_type,journal_date,fund")
    assert response["X-Content-SHA256"] == GLExport.objects.get().file_sha256


def test_a_refused_day_is_shown_beside_the_day_field_on_screen(client_for) -> None:
    response = client_for(Role.FINANCE).post(reverse("payments:gl_export"), {"day": "2024-07-04"})
    assert response.status_code == 422
    assert "no ledger activity on 2024-07-04" in response.content.decode()
    assert not GLExport.objects.exists()


def test_only_finance_exports_the_journal(client_for) -> None:
    for role in (Role.CSR_SENIOR, Role.MANAGER, Role.AUDITOR, Role.CSR_I):
        assert (
            client_for(role).post(reverse("payments:gl_export"), {"day": "2025-01-15"}).status_code
            == 403
        )
