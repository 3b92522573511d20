"""The seeded chart of accounts and Finance's edits to it."""

from __future__ import annotations

from datetime import date

import pytest

from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent
from cistern.ledger import chart_services as C
from cistern.ledger import codes
from cistern.ledger.chart import CHART
from cistern.ledger.models import LedgerAccount
from cistern.ledger.services import (
    Leg,
    journal_entry_post,
    ledger_account_create,
    ledger_account_update,
    ledger_chart_seed,
)

pytestmark = pytest.mark.django_db


def test_every_database_starts_with_the_standard_chart(finance) -> None:
    assert set(LedgerAccount.objects.values_list("code", flat=True)) >= {c.code for c in CHART}
    receivables = set(
        LedgerAccount.objects.filter(is_receivable=True).values_list("code", flat=True)
    )
    assert receivables == set(codes.RECEIVABLE_FOR_CATEGORY.values())
    assert codes.TAX_ROLL_RECEIVABLE not in receivables


def test_seeding_again_creates_only_what_is_missing_and_keeps_edits(finance) -> None:
    water = LedgerAccount.objects.get(code=codes.REV_WATER)
    ledger_account_update(account=water, name="Water sales — potable", actor=finance)
    LedgerAccount.objects.filter(code=codes.FEE_METER_TEST).delete()
    created = ledger_chart_seed(actor=finance)
    assert [a.code for a in created] == [codes.FEE_METER_TEST]
    assert LedgerAccount.objects.get(code=codes.REV_WATER).name == "Water sales — potable"
    assert ledger_chart_seed(actor=finance) == []


def test_finance_adds_an_account_and_it_is_audited(finance) -> None:
    account = ledger_account_create(
        code="4270-fee-hydrant", name="Hydrant meter fees", kind="revenue", actor=finance
    )
    assert account.code == "4270-FEE-HYDRANT"
    assert AuditEvent.objects.filter(action="ledger.account.create", actor=finance).count() == 1


def test_a_code_already_in_the_chart_is_refused(finance) -> None:
    with pytest.raises(ServiceError) as refused:
        ledger_account_create(code=codes.REV_WATER, name="Dup", kind="revenue", actor=finance)
    assert refused.value.field == "code"


def test_name_and_gl_coordinates_change_and_only_changes_are_audited(finance) -> None:
    account = LedgerAccount.objects.get(code=codes.REV_SEWER)
    ledger_account_update(account=account, gl_fund="510", gl_account="4110", actor=finance)
    event = AuditEvent.objects.get(action="ledger.account.update")
    assert event.before == {"gl_fund": "", "gl_account": ""}
    assert event.after == {"gl_fund": "510", "gl_account": "4110"}
    ledger_account_update(account=account, gl_fund="510", actor=finance)  # no change
    assert AuditEvent.objects.filter(action="ledger.account.update").count() == 1


def test_the_code_and_kind_are_fixed_once_the_account_has_postings(finance, account) -> None:
    journal_entry_post(
        idempotency_key="k",
        effective_date=date(2025, 1, 1),
        source="bill",
        legs=[Leg(codes.AR_WATER, 10, account.id, "water"), Leg(codes.REV_WATER, -10)],
        actor=finance,
    )
    water = LedgerAccount.objects.get(code=codes.REV_WATER)
    with pytest.raises(ServiceError) as refused:
        ledger_account_update(account=water, code="4101-REV-WATER", actor=finance)
    assert refused.value.message == C.ACCOUNT_CODE_LOCKED.format(code=codes.REV_WATER)
    with pytest.raises(ServiceError):
        ledger_account_update(account=water, kind="expense", actor=finance)
    renamed = ledger_account_update(account=water, name="Potable water", actor=finance)
    assert renamed.name == "Potable water" and renamed.code == codes.REV_WATER


def test_an_inactive_account_takes_no_new_postings(finance) -> None:
    other = LedgerAccount.objects.get(code=codes.REV_OTHER)
    ledger_account_update(account=other, active=False, actor=finance)
    with pytest.raises(ServiceError):
        journal_entry_post(
            idempotency_key="k",
            effective_date=date(2025, 1, 1),
            source="misc",
            legs=[Leg(codes.CASH_CLEARING, 10), Leg(codes.REV_OTHER, -10)],
            actor=finance,
        )
