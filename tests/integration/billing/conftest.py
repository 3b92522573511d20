"""Fixtures for bill-run tests: the rate schedules and staff."""

from __future__ import annotations

import pytest

from cistern.ledger.chart_services import ledger_chart_seed
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.billing import makers


@pytest.fixture
def clerk(db):
    ledger_chart_seed()
    return staff_user(Role.CSR_III)


@pytest.fixture
def rates(clerk):
    return makers.rate_schedules(staff_user(Role.MANAGER))
