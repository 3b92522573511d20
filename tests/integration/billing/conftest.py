"""Fixtures for bill-run tests: the rate schedules and staff, and a database that child
processes (``--workers N``) can open."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cistern.ledger.chart_services import ledger_chart_seed
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.billing import makers
from tests.integration.shared_database import database_on_file


@pytest.fixture
def clerk(db):
    ledger_chart_seed()
    return staff_user(Role.CSR_III)


@pytest.fixture
def rates(clerk):
    return makers.rate_schedules(staff_user(Role.MANAGER))


@pytest.fixture
def shared_database(transactional_db, tmp_path) -> Iterator[None]:
    """A database child processes can open (``tests.integration.shared_database``)."""
    with database_on_file(tmp_path):
        yield
