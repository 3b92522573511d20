"""Many threads posting to the same accounts at once on PostgreSQL: no lost or duplicate
posting, duplicate idempotency keys racing post once, balances equal the sum of postings."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import date

import pytest
from django.db import connection

from cistern.ledger import codes
from cistern.ledger.chart_services import ledger_chart_seed
from cistern.ledger.checks import ledger_check
from cistern.ledger.models import JournalEntry, Posting
from cistern.ledger.selectors import account_balance_cents
from cistern.ledger.services import Leg, journal_entry_post
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.ledger.makers import customer_account

THREADS = 8
POSTS_PER_THREAD = 15


def planned_posts(thread: int, accounts: list[int]) -> list[tuple[str, int, int]]:
    """(key, account id, cents) — every third key is shared by all threads, so they race."""
    posts = []
    for i in range(POSTS_PER_THREAD):
        if i % 3 == 0:
            key, account, cents = f"shared:{i}", accounts[i % len(accounts)], 1000 + i
        else:
            key, account, cents = f"t{thread}:{i}", accounts[(thread + i) % len(accounts)], 100 + i
        posts.append((key, account, cents))
    return posts


def legs_for(shared: bool, account: int, cents: int) -> list[Leg]:
    ar, rev, category = (
        (codes.AR_SEWER, codes.REV_SEWER, "sewer")
        if shared
        else (codes.AR_WATER, codes.REV_WATER, "water")
    )
    return [Leg(ar, cents, account, category), Leg(rev, -cents)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_threads_posting_to_the_same_accounts_lose_and_duplicate_nothing() -> None:
    ledger_chart_seed()
    actor = staff_user(Role.FINANCE)
    accounts = [customer_account(last_name=n).pk for n in ("Ames", "Bell", "Cruz")]
    results: dict[str, set[int]] = defaultdict(set)
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def work(thread: int) -> None:
        try:
            barrier.wait()
            for key, account, cents in planned_posts(thread, accounts):
                shared = key.startswith("shared")
                entry = journal_entry_post(
                    idempotency_key=key,
                    effective_date=date(2025, 5, 1) if shared else date(2025, 5, 1 + thread),
                    source="test",
                    legs=legs_for(shared, account, cents),
                    actor=actor,
                )
                with lock:
                    results[key].add(entry.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    expected: dict[int, int] = defaultdict(int)
    keys = {}
    for thread in range(THREADS):
        for key, account, cents in planned_posts(thread, accounts):
            keys[key] = (account, cents)
    for account, cents in keys.values():
        expected[account] += cents
    assert all(len(pks) == 1 for pks in results.values())  # a shared key posted once
    assert JournalEntry.objects.count() == len(keys)
    assert Posting.objects.count() == 2 * len(keys)
    for account in accounts:
        assert account_balance_cents(account_id=account) == expected[account]
    assert {k: v for k, v in ledger_check().items() if v} == {}
