"""The demo district: deterministic, realistic, searchable, and only ever built once."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from cistern.core.models import AuditEvent, Sequence
from cistern.core.numbering import ACCOUNT_NUMBER_BASE, ACCOUNT_SEQUENCE, account_number_next
from cistern.customers.models import Account, AccountSearchDocument, Premise, PremiseClass
from cistern.customers.search_index import search_texts_build
from cistern.customers.selectors import account_search
from cistern.demo.domain import accounts as demo_accounts
from cistern.demo.services import NOT_EMPTY
from cistern.ledger.selectors import account_aging, trial_balance_total_cents
from cistern.staff.models import User
from cistern.staff.roles import Role

TODAY = date(2026, 6, 15)
pytestmark = pytest.mark.django_db


def build(accounts: int = 200, seed: int = 7, **options: object) -> str:
    """The district alone (no billed history: see test_demo_history.py for that)."""
    options.setdefault("history_months", 0)
    out = StringIO()
    call_command("demo", accounts=accounts, seed=seed, today=TODAY, stdout=out, **options)
    return out.getvalue()


def snapshot() -> list[tuple[str, str, str]]:
    return list(
        Account.objects.order_by("number").values_list(
            "number", "customer__display_name", "premise__street_name"
        )
    )


def build_and_roll_back(seed: int) -> list[tuple[str, str, str]]:
    with transaction.atomic():
        build(seed=seed)
        result = snapshot()
        transaction.set_rollback(True)
    return result


def test_the_same_seed_builds_the_same_district_and_another_seed_a_different_one():
    # given / when: two builds from seed 7 (each rolled back) and one from seed 8
    first = build_and_roll_back(seed=7)
    second = build_and_roll_back(seed=7)
    other = build_and_roll_back(seed=8)

    # then
    assert len(first) == 200
    assert first == second
    assert [name for _, name, _ in first] != [name for _, name, _ in other]


def test_the_district_has_every_premise_class_staff_for_every_role_and_one_audit_event():
    build()

    classes = set(Premise.objects.values_list("premise_class", flat=True).distinct())
    assert classes == set(PremiseClass.values)
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert AuditEvent.objects.filter(action="demo.build").count() == 1


def test_every_account_has_the_search_document_the_customer_services_would_write():
    build()

    ids = list(Account.objects.values_list("id", flat=True))
    documents = dict(AccountSearchDocument.objects.values_list("account_id", "text"))
    assert sorted(documents) == sorted(ids)
    assert documents == search_texts_build(ids)


def test_a_demo_account_is_found_by_its_number_and_by_its_apn():
    build()
    account = Account.objects.select_related("premise").filter(status="active").first()

    by_number = account_search(query=account.number)
    by_apn = account_search(query=account.premise.apn)

    assert by_number[0].number == account.number
    assert account.number in [hit.number for hit in by_apn]


def test_new_accounts_continue_the_account_numbers_after_the_demo():
    build()
    last = Sequence.objects.get(name=ACCOUNT_SEQUENCE).last_value
    assert demo_accounts.ACCOUNT_NUMBER_BASE == ACCOUNT_NUMBER_BASE

    with transaction.atomic():
        number = account_number_next()

    assert number[:-1] == str(ACCOUNT_NUMBER_BASE + last + 1)
    assert Account.objects.order_by("-number").first().number < number


def test_opening_balances_balance_and_some_accounts_are_past_due():
    build(accounts=400)

    assert trial_balance_total_cents() == 0
    agings = [
        account_aging(account_id=account_id, as_of=TODAY)
        for account_id in Account.objects.filter(postings__isnull=False)
        .values_list("id", flat=True)
        .distinct()
    ]
    assert any(a.current_cents > 0 for a in agings)
    assert any(a.past_due_cents > 0 for a in agings)


def test_if_empty_does_nothing_when_accounts_exist_and_a_plain_build_refuses():
    build()
    before = Account.objects.count()

    output = build(seed=99, if_empty=True)

    assert "already has accounts" in output
    assert Account.objects.count() == before
    with pytest.raises(CommandError, match="already has accounts"):
        build(seed=99)
    assert NOT_EMPTY.startswith("This database already has accounts")


def test_demo_logins_lists_one_sign_in_per_role():
    build()
    out = StringIO()

    call_command("demo_logins", stdout=out)

    lines = out.getvalue().splitlines()
    assert sum("cistern-demo-password" in line for line in lines) == len(Role.values)
