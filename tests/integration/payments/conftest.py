"""Fixtures for payment tests: the staff cast, customer accounts with charges, and a check
that the ledger's invariants hold after a flow (trial balance zero, subledger ties)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from cistern.customers.models import Account
from cistern.ledger import codes
from cistern.ledger.chart_services import ledger_chart_seed
from cistern.ledger.checks import ledger_check
from cistern.ledger.selectors import account_balance_cents, trial_balance_total_cents
from cistern.ledger.services import Leg, journal_entry_post
from cistern.payments.services import drawer_open
from cistern.staff.models import User
from cistern.staff.roles import Role
from tests.factories.customers import customer_account
from tests.factories.staff import staff_user

_keys = itertools.count(1)
FLOAT = {"bill_20": 5, "bill_10": 5, "bill_5": 4, "bill_1": 10, "coin_25": 20}  # $185.00


@pytest.fixture(autouse=True)
def _chart(db: None) -> None:
    ledger_chart_seed()


@pytest.fixture
def cashier(db: None) -> User:
    return staff_user(Role.CSR_I)


@pytest.fixture
def senior(db: None) -> User:
    return staff_user(Role.CSR_SENIOR)


@pytest.fixture
def csr2(db: None) -> User:
    return staff_user(Role.CSR_II)


@pytest.fixture
def drawer(cashier: User) -> Any:
    return drawer_open(counts=FLOAT, actor=cashier)


def charge(
    account: Account,
    cents: int,
    *,
    category: str = codes.CATEGORY_WATER,
    day: date = date(2025, 1, 15),
) -> None:
    """A bill-like charge: debit the category's receivable, credit its revenue."""
    journal_entry_post(
        idempotency_key=f"test-charge:{next(_keys)}",
        effective_date=day,
        source="bill",
        legs=[
            Leg(codes.RECEIVABLE_FOR_CATEGORY[category], cents, account.pk, category),
            Leg(codes.REVENUE_FOR_CATEGORY[category], -cents),
        ],
        actor=staff_user(Role.FINANCE),
    )


@pytest.fixture
def maria(db: None) -> Account:
    """Maria owes $120.00: water $80.00 (January) and sewer $40.00 (February)."""
    account = customer_account(first_name="Maria", last_name="Garcia")
    charge(account, 8000, day=date(2025, 1, 15))
    charge(account, 4000, category=codes.CATEGORY_SEWER, day=date(2025, 2, 15))
    return account


@pytest.fixture
def james(db: None) -> Account:
    """James owes $50.00 of water."""
    account = customer_account(first_name="James", last_name="Whitfield")
    charge(account, 5000)
    return account


def balance(account: Account) -> int:
    return account_balance_cents(account_id=account.pk)


def assert_ledger_sound() -> None:
    """I1 and I2 (and I4) hold: every entry balances, the subledger ties, reversals linked."""
    assert trial_balance_total_cents() == 0
    problems = {k: v for k, v in ledger_check().items() if v and k != "I3"}
    assert not problems, problems
