"""A chunk's own transaction on PostgreSQL commits without waiting for the log flush
(``chunks.chunk_transaction``): for that transaction only, and never inside a caller's."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from cistern.billing.chunks import chunk_transaction

pytestmark = [pytest.mark.postgres]


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_chunk_transaction_commits_without_waiting_and_only_it() -> None:
    before = _synchronous_commit()
    with chunk_transaction():
        assert _synchronous_commit() == "off"
    assert _synchronous_commit() == before == "on"  # SET LOCAL: gone with the commit


@pytest.mark.django_db(transaction=True)
def test_a_failed_chunk_transaction_leaves_the_setting_as_it_was() -> None:
    with pytest.raises(RuntimeError), chunk_transaction():
        assert _synchronous_commit() == "off"
        raise RuntimeError("the chunk failed")
    assert _synchronous_commit() == "on"


@pytest.mark.django_db
def test_inside_a_callers_transaction_it_changes_nothing() -> None:
    with transaction.atomic(), chunk_transaction():
        assert _synchronous_commit() == "on"
