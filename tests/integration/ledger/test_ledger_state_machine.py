"""The ledger against a plain-Python model: random programs of posts, replays, reused keys,
reversals (once and twice) and period closes, with the invariants checked after every step.

Each program runs inside a savepoint that is rolled back afterwards, so programs are cheap
and independent. At least 1,000 programs run on SQLite per CI run (fewer on PostgreSQL,
see ``PROGRAMS``); every failure Hypothesis finds should become an ``@example`` test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from cistern.core.errors import ServiceError
from cistern.ledger import codes
from cistern.ledger import period_services as P
from cistern.ledger import services as S
from cistern.ledger.domain.periods import month_end
from cistern.ledger.models import JournalEntry, Posting
from cistern.ledger.services import Leg, journal_entry_post, journal_entry_reverse
from tests.integration.ledger.makers import customer_account

PROGRAMS = {"sqlite": int(os.environ.get("LEDGER_PROGRAMS", 1000)), "postgresql": 200}
TODAY = date(2025, 6, 1)  # every month below has ended by then
MONTHS = [date(2025, m, 1) for m in (1, 2, 3, 4)]
CATEGORIES = ["water", "sewer", "late_fee"]

days = st.builds(lambda m, d: m.replace(day=d), st.sampled_from(MONTHS), st.integers(1, 28))
amounts = st.integers(min_value=1, max_value=50_000)


@dataclass
class ModelEntry:
    """What the model knows of one posted entry."""

    pk: int
    request: dict
    account: int
    delta_cents: int  # what it moved the customer's balance by
    effective_date: date
    reverses: str | None = None
    reversed_by: str | None = None


@dataclass
class Model:
    entries: dict[str, ModelEntry] = field(default_factory=dict)
    balances: dict[int, int] = field(default_factory=dict)
    period_rows: set[date] = field(default_factory=set)
    closed: set[date] = field(default_factory=set)

    @property
    def closed_end(self) -> date | None:
        return month_end(max(self.closed)) if self.closed else None

    def is_closed(self, day: date) -> bool:
        return self.closed_end is not None and day <= self.closed_end


def request_for(key: str, account: int, kind: str, cents: int, category: str, day: date) -> dict:
    if kind == "charge":
        legs = [
            Leg(codes.RECEIVABLE_FOR_CATEGORY[category], cents, account, category),
            Leg(codes.REVENUE_FOR_CATEGORY[category], -cents),
        ]
    else:
        legs = [Leg(codes.CASH_CLEARING, cents), Leg(codes.AR_WATER, -cents, account, "water")]
    return {"idempotency_key": key, "effective_date": day, "source": kind, "legs": legs}


class LedgerMachine(RuleBasedStateMachine):
    accounts: list[int] = []
    actor = None

    def __init__(self) -> None:
        super().__init__()
        self.model = Model(balances=dict.fromkeys(self.accounts, 0))
        self.counter = 0
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def _post(self, request: dict):
        try:
            return journal_entry_post(**request, actor=self.actor), None
        except ServiceError as exc:
            return None, exc

    @rule(
        account=st.integers(0, 2),
        kind=st.sampled_from(["charge", "payment"]),
        cents=amounts,
        category=st.sampled_from(CATEGORIES),
        day=days,
    )
    def post(self, account: int, kind: str, cents: int, category: str, day: date) -> None:
        self.counter += 1
        key = f"k{self.counter}"
        account_id = self.accounts[account]
        request = request_for(key, account_id, kind, cents, category, day)
        entry, error = self._post(request)
        if self.model.is_closed(day):
            assert entry is None and error.field == "effective_date"
            return
        assert error is None, error
        delta = cents if kind == "charge" else -cents
        self.model.entries[key] = ModelEntry(entry.pk, request, account_id, delta, day)
        self.model.balances[account_id] += delta
        self.model.period_rows.add(day.replace(day=1))

    @precondition(lambda self: self.model.entries)
    @rule(data=st.data())
    def replay_a_key(self, data) -> None:
        key = data.draw(st.sampled_from(sorted(self.model.entries)))
        known = self.model.entries[key]
        before = Posting.objects.count()
        entry, error = self._post(known.request)
        assert error is None and entry.pk == known.pk
        assert Posting.objects.count() == before

    @precondition(lambda self: self.model.entries)
    @rule(data=st.data(), extra=amounts)
    def reuse_a_key_with_different_content(self, data, extra: int) -> None:
        key = data.draw(st.sampled_from(sorted(self.model.entries)))
        request = dict(self.model.entries[key].request)
        request["legs"] = [
            Leg(
                g.account_code,
                g.amount_cents + (extra if g.amount_cents > 0 else -extra),
                g.customer_account_id,
                g.charge_category,
            )
            for g in request["legs"]
        ]
        entry, error = self._post(request)
        assert entry is None
        assert error.message == S.KEY_REUSED.format(key=key, entry_id=self.model.entries[key].pk)

    @precondition(lambda self: self.model.entries)
    @rule(data=st.data(), day=days)
    def reverse(self, data, day: date) -> None:
        key = data.draw(st.sampled_from(sorted(self.model.entries)))
        known = self.model.entries[key]
        try:
            reversal = journal_entry_reverse(
                entry=JournalEntry(pk=known.pk), effective_date=day, reason="test", actor=self.actor
            )
        except ServiceError as exc:
            assert exc.message == self._expected_reversal_refusal(known, day)
            return
        assert self._expected_reversal_refusal(known, day) is None
        rkey = f"reversal:JE{known.pk}"
        request = {
            "idempotency_key": rkey,
            "effective_date": day,
            "source": "reversal",
            "source_ref": f"JE{known.pk}",
            "memo": "test",
            "legs": [leg.negated() for leg in known.request["legs"]],
        }
        self.model.entries[rkey] = ModelEntry(
            reversal.pk, request, known.account, -known.delta_cents, day, reverses=key
        )
        known.reversed_by = rkey
        self.model.balances[known.account] -= known.delta_cents
        self.model.period_rows.add(day.replace(day=1))

    @precondition(lambda self: any(e.reversed_by for e in self.model.entries.values()))
    @rule(data=st.data(), day=days)
    def reverse_twice(self, data, day: date) -> None:
        reversed_keys = sorted(k for k, e in self.model.entries.items() if e.reversed_by)
        known = self.model.entries[data.draw(st.sampled_from(reversed_keys))]
        with pytest.raises(ServiceError) as refused:
            journal_entry_reverse(
                entry=JournalEntry(pk=known.pk), effective_date=day, reason="x", actor=self.actor
            )
        rev_pk = self.model.entries[known.reversed_by].pk
        assert refused.value.message == S.ENTRY_ALREADY_REVERSED.format(
            entry_id=known.pk, reversal_id=rev_pk
        )

    def _expected_reversal_refusal(self, known: ModelEntry, day: date) -> str | None:
        if known.reverses is not None:
            return S.ENTRY_IS_REVERSAL.format(entry_id=known.pk)
        if known.reversed_by is not None:
            rev_pk = self.model.entries[known.reversed_by].pk
            return S.ENTRY_ALREADY_REVERSED.format(entry_id=known.pk, reversal_id=rev_pk)
        if day < known.effective_date:
            return S.REVERSAL_BEFORE_ORIGINAL.format(original_date=known.effective_date)
        if self.model.is_closed(day):
            return P.PERIOD_CLOSED.format(day=day.isoformat(), closed_end=self.model.closed_end)
        return None

    @precondition(lambda self: self.counter > 3 * len(self.model.closed) + 1)
    @rule(month=st.sampled_from(MONTHS))
    def close_a_period(self, month: date) -> None:
        earlier_open = sorted(r for r in self.model.period_rows - self.model.closed if r < month)
        try:
            S.accounting_period_close(period=month, actor=self.actor, today=TODAY)
        except ServiceError as exc:
            if month in self.model.closed:
                assert exc.message == P.PERIOD_ALREADY_CLOSED.format(month=f"{month:%Y-%m}")
            else:
                assert exc.message == P.PERIOD_EARLIER_OPEN.format(
                    earlier=f"{earlier_open[0]:%Y-%m}"
                )
            return
        assert month not in self.model.closed and not earlier_open
        self.model.closed.add(month)
        self.model.period_rows.add(month)

    @invariant()
    def trial_balance_is_zero_and_each_customer_balance_equals_the_model(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(BALANCES_SQL)
            rows = cursor.fetchall()
        assert sum(total for _, _, total, _ in rows) == 0  # I1: the trial balance is zero
        assert sum(n for _, _, _, n in rows) == 2 * len(self.model.entries)
        actual = dict.fromkeys(self.accounts, 0)
        for customer, receivable, total, _ in rows:
            if receivable:
                actual[customer] += total
        assert actual == self.model.balances  # I2

    @invariant()
    def every_entry_balances_and_every_reversal_mirrors_its_original_once(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(UNBALANCED_SQL)
            assert cursor.fetchall() == []  # I1: each entry balances
            cursor.execute(REVERSALS_SQL)
            pairs = cursor.fetchall()
            cursor.execute(UNMIRRORED_SQL)
            assert cursor.fetchall() == []  # I4: a reversal undoes exactly its original
        expected = {e.pk for e in self.model.entries.values() if e.reversed_by}
        assert sorted(p for (p,) in pairs) == sorted(expected)  # I4: at most once


BALANCES_SQL = """
    SELECT p.customer_account_id, a.is_receivable, SUM(p.amount_cents), COUNT(*)
      FROM ledger_posting p JOIN ledger_ledgeraccount a ON a.id = p.ledger_account_id
     GROUP BY p.customer_account_id, a.is_receivable"""
UNBALANCED_SQL = """
    SELECT e.id FROM ledger_journalentry e LEFT JOIN ledger_posting p ON p.entry_id = e.id
     GROUP BY e.id HAVING COUNT(p.id) < 2 OR COALESCE(SUM(p.amount_cents), 0) <> 0"""
REVERSALS_SQL = "SELECT reverses_id FROM ledger_journalentry WHERE reverses_id IS NOT NULL"
UNMIRRORED_SQL = """
    SELECT COALESCE(e.reverses_id, e.id) AS root, p.ledger_account_id, p.customer_account_id,
           p.charge_category, p.amount_cents * (CASE WHEN e.reverses_id IS NULL THEN 1 ELSE -1 END)
           AS signed, SUM(CASE WHEN e.reverses_id IS NULL THEN 1 ELSE -1 END)
      FROM ledger_posting p JOIN ledger_journalentry e ON e.id = p.entry_id
     WHERE e.reverses_id IS NOT NULL
        OR EXISTS (SELECT 1 FROM ledger_journalentry r WHERE r.reverses_id = e.id)
     GROUP BY 1, 2, 3, 4, 5
    HAVING SUM(CASE WHEN e.reverses_id IS NULL THEN 1 ELSE -1 END) <> 0"""


@pytest.mark.django_db
def test_the_ledger_keeps_its_invariants_over_random_programs(finance) -> None:
    LedgerMachine.accounts = [customer_account(last_name=n).pk for n in ("Ames", "Bell", "Cruz")]
    LedgerMachine.actor = finance
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=PROGRAMS[connection.vendor],
            stateful_step_count=10,
            deadline=None,
            database=None,
            derandomize=False,
            suppress_health_check=list(HealthCheck),
        ),
    )
