"""Fixtures for bill-run tests: the rate schedules and staff, and a database that child
processes (``--workers N``) can open."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from django.db import connection

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


@pytest.fixture
def shared_database(transactional_db, tmp_path) -> Iterator[None]:
    """A database child processes can open: PostgreSQL as it is; the in-memory SQLite test
    database copied to a file for the test (the in-memory one is kept aside, untouched)."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory, name = connection.connection, connection.settings_dict["NAME"]
    path = tmp_path / "shared.sqlite3"
    with sqlite3.connect(path) as copy:
        memory.backup(copy)
    copy.close()
    connection.connection = None  # not closed: closing would destroy the in-memory database
    connection.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory
