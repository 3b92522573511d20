"""Fixtures for ledger tests: a few customer accounts and the Finance user."""

from __future__ import annotations

import pytest

from cistern.customers.models import Account
from cistern.ledger.chart_services import ledger_chart_seed
from cistern.staff.models import User
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.ledger.makers import customer_account


@pytest.fixture
def finance(db: None) -> User:
    ledger_chart_seed()  # present from the data migration; again after a transactional flush
    return staff_user(Role.FINANCE)


@pytest.fixture
def account(db: None) -> Account:
    return customer_account(last_name="Alvarez")


@pytest.fixture
def other_account(db: None) -> Account:
    return customer_account(last_name="Baker")
