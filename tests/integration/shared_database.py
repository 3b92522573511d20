"""A test database that other connections and processes can open.

PostgreSQL as it is. On SQLite the test database lives in this process's memory, so it is
copied to a file for the test (the in-memory one kept aside, untouched, and put back after):
child processes forked by ``--workers N``, or a second connection holding a lock, then see
the test's committed data. Used with ``transactional_db``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection


@contextmanager
def database_on_file(folder: Path, *, busy_timeout_ms: int | None = None) -> Iterator[None]:
    """The test database where others can open it; ``busy_timeout_ms`` (SQLite) makes a
    wait for a lock fail fast instead of waiting the configured timeout."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory, name = connection.connection, connection.settings_dict["NAME"]
    path = folder / "shared.sqlite3"
    with sqlite3.connect(path) as copy:
        memory.backup(copy)
    copy.close()
    connection.connection = None  # not closed: closing would destroy the in-memory database
    connection.settings_dict["NAME"] = str(path)
    try:
        if busy_timeout_ms is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory
