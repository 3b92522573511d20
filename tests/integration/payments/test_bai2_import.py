"""BAI2 prior-day import: refused whole on a bad control total, kept once, matched to the
day's deposits, with what does not tie listed on both sides."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cistern.core.models import AuditEvent
from cistern.payments.bank.bai2_reader import MSG_NOT_TEXT, Bai2Refused, bai2_read
from cistern.payments.bank.reconciliation import statement_reconcile
from cistern.payments.bank.services import BankFileRefused, bank_statement_import
from cistern.payments.domain import lockbox_write
from cistern.payments.models import BankCredit, BankStatementImport
from cistern.payments.services import (
    CounterShare,
    CounterTender,
    lockbox_import,
    payment_take_at_counter,
)
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.payments.bai2_maker import (
    Credit,
    bai2_file,
    with_bad_account_total,
    with_bad_file_total,
)
from tests.integration.payments.test_lockbox_import import DEPOSIT, item

pytestmark = pytest.mark.django_db


def take(drawer, account, cents: int, tender: str, key: str, **extra):
    return payment_take_at_counter(
        drawer_id=drawer.pk, shares=[CounterShare(account.number, cents)],
        tender=CounterTender(tender, cents, **extra), idempotency_key=key, actor=drawer.cashier,
    )  # fmt: skip


@pytest.fixture
def day_of_deposits(drawer, maria, james):
    """Today: a $75.00 check at the counter (the deposit slip) and a $42.50 card payment."""
    take(drawer, maria, 7500, "check", "bai-1", check_number="2041", check_bank="Chase")
    take(drawer, james, 4250, "card", "bai-2", card_token="tok_visa_4242")
    return timezone.localdate()


def test_the_reader_hands_back_our_credits_and_skips_debits() -> None:
    day = timezone.localdate()
    data = bai2_file(credits=[Credit(7500, "301", "DEP123", text="BRANCH DEPOSIT")], as_of=day,
                     debits=[Credit(1200, "475", text="CHECK PAID")])  # fmt: skip
    statement = bai2_read(data)
    assert statement.as_of_dates == (day,) and statement.sender_id == "121000358"
    (credit,) = statement.credits
    assert (credit.type_code, credit.amount_cents, credit.bank_reference, credit.text) == (
        "301", 7500, "DEP123", "BRANCH DEPOSIT"
    )  # fmt: skip


def test_a_good_file_is_imported_and_its_credits_tie_to_the_days_deposits(day_of_deposits) -> None:
    # given the bank credited the check deposit today and the card settlement a day later
    day = day_of_deposits
    data = bai2_file(credits=[Credit(7500, "301", "DEP1"),
                              Credit(4250, "147", "VISA", as_of=day + timedelta(days=1))],
                     as_of=day)  # fmt: skip
    # when Finance imports the file
    outcome = bank_statement_import(data=data, filename="bai.txt", actor=staff_user(Role.FINANCE))
    # then both credits are kept and everything ties
    assert outcome.created and outcome.statement.credit_count == 2
    assert outcome.statement.credit_total_cents == 11750
    result = statement_reconcile(statement=outcome.statement)
    assert result.ties
    assert sorted((m.deposit.kind, m.rule) for m in result.matches) == [
        ("card", "within_window"), ("deposit_slip", "same_day"),
    ]  # fmt: skip
    assert AuditEvent.objects.filter(action="bank.statement.import").count() == 1


def test_what_does_not_tie_is_listed_on_both_sides(day_of_deposits) -> None:
    # given the bank credited the check deposit and an unknown $12.34, but not the card
    data = bai2_file(credits=[Credit(7500), Credit(1234, "195", text="WIRE IN")],
                     as_of=day_of_deposits)  # fmt: skip
    outcome = bank_statement_import(data=data, actor=staff_user(Role.FINANCE))
    result = statement_reconcile(statement=outcome.statement)
    assert [m.deposit.kind for m in result.matches] == ["deposit_slip"]
    assert [c.amount_cents for c in result.unmatched_credits] == [1234]
    assert [(d.kind, d.amount_cents) for d in result.unmatched_deposits] == [("card", 4250)]


def test_a_lockbox_batch_ties_by_the_banks_batch_reference(maria) -> None:
    lockbox_import(data=lockbox_write([item(maria, 1, 2500, batch="LB0314")]),
                   filename="lb.csv", actor=staff_user(Role.CSR_II))  # fmt: skip
    data = bai2_file(credits=[Credit(2500, "115", "LB0314", text="LOCKBOX")], as_of=DEPOSIT)
    outcome = bank_statement_import(data=data, actor=staff_user(Role.FINANCE))
    result = statement_reconcile(statement=outcome.statement)
    assert [(m.deposit.kind, m.rule) for m in result.matches] == [("lockbox", "reference")]
    assert result.ties


@pytest.mark.parametrize("breaker", [with_bad_file_total, with_bad_account_total])
def test_a_file_with_a_bad_control_total_is_refused_whole_and_nothing_is_written(breaker) -> None:
    data = breaker(bai2_file(credits=[Credit(7500), Credit(100)], as_of=timezone.localdate()))
    with pytest.raises(BankFileRefused) as refused:
        bank_statement_import(data=data, actor=staff_user(Role.FINANCE))
    assert (
        "control total" in refused.value.message and "nothing was imported" in refused.value.message
    )
    assert not BankStatementImport.objects.exists() and not BankCredit.objects.exists()
    assert not AuditEvent.objects.filter(action="bank.statement.import").exists()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("01,BANK,ME,250303,0600,1,80,1,2/\n".encode("utf-16"), MSG_NOT_TEXT),
        (b"", "empty"),
        (b"hello,world\n", "well-formed"),
    ],
)
def test_a_file_that_is_not_bai2_is_refused_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(BankFileRefused) as refused:
        bank_statement_import(data=data, actor=staff_user(Role.FINANCE))
    assert reason in refused.value.message
    assert not BankStatementImport.objects.exists()


def test_a_truncated_file_is_refused() -> None:
    data = bai2_file(credits=[Credit(7500)], as_of=timezone.localdate())
    with pytest.raises(Bai2Refused):
        bai2_read(data[: len(data) // 2])


def test_the_same_file_twice_imports_once() -> None:
    data = bai2_file(credits=[Credit(7500)], as_of=timezone.localdate())
    finance = staff_user(Role.FINANCE)
    first = bank_statement_import(data=data, actor=finance)
    again = bank_statement_import(data=data, actor=finance)
    assert first.created and not again.created and again.statement.pk == first.statement.pk
    assert BankStatementImport.objects.count() == 1 and BankCredit.objects.count() == 1


def test_finance_imports_on_screen_and_downloads_the_result(client_for, day_of_deposits) -> None:
    finance = client_for(Role.FINANCE)
    data = bai2_file(credits=[Credit(7500), Credit(999, "195")], as_of=day_of_deposits)
    upload = SimpleUploadedFile("prior-day.bai", data, content_type="text/plain")
    response = finance.post(reverse("payments:bank_import"), {"file": upload}, follow=True)
    page = response.content.decode()
    assert "1 bank credits and 1 deposits do not tie." in page and "CARD settlement" in page
    statement = BankStatementImport.objects.get()
    csv_response = finance.get(reverse("payments:bank_result_csv") + f"?statement={statement.pk}")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
    assert [r[0] for r in rows] == ["status", "tied", "bank_only", "cistern_only"]
    assert rows[2][3] == "999" and rows[3][8] == "4250"


def test_a_refused_file_on_screen_says_why_beside_the_file_field(client_for) -> None:
    data = with_bad_file_total(bai2_file(credits=[Credit(7500)], as_of=timezone.localdate()))
    upload = SimpleUploadedFile("bad.bai", data, content_type="text/plain")
    response = client_for(Role.FINANCE).post(reverse("payments:bank_import"), {"file": upload})
    assert response.status_code == 422
    assert "control totals do not add up" in response.content.decode()
    assert not BankStatementImport.objects.exists()


def test_the_result_csv_without_a_statement_sends_finance_back_to_the_bank_page(client_for) -> None:
    response = client_for(Role.FINANCE).get(reverse("payments:bank_result_csv"))
    assert response.status_code == 302 and response.url == reverse("payments:bank")


def test_only_finance_reconciles_the_bank(client_for) -> None:
    for role in (Role.CSR_SENIOR, Role.MANAGER, Role.AUDITOR, Role.CSR_II):
        assert client_for(role).get(reverse("payments:bank")).status_code == 403
