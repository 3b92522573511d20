"""A Hypothesis state machine of the counter: payments, voids and returns in random order,
checked after every step against a plain-Python model (reliability.md: invariants after
every step). The model knows each account's balance, which receipts are void, which
checks came back, and when an account becomes cash only."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from cistern.core.errors import ServiceError
from cistern.ledger.selectors import account_balance_cents
from cistern.payments.models import Payment, Receipt
from cistern.payments.return_services import returned_payment_fee_cents
from cistern.payments.services import (
    CounterShare,
    CounterTender,
    drawer_open,
    payment_return,
    payment_take_at_counter,
    receipt_void,
)
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.ledger.makers import customer_account
from tests.integration.payments.conftest import assert_ledger_sound, charge

OWED = 10_000


class CounterMachine(RuleBasedStateMachine):
    @initialize()
    def open_the_day(self) -> None:
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.cashier = staff_user(Role.CSR_I)
        self.senior = staff_user(Role.CSR_SENIOR)
        self.clerk = staff_user(Role.CSR_II)
        self.accounts = [customer_account(last_name=n) for n in ("Ames", "Bell")]
        for account in self.accounts:
            charge(account, OWED)
        self.drawer = drawer_open(counts={"bill_20": 5}, actor=self.cashier)
        self.expected = {a.pk: OWED for a in self.accounts}
        self.returns = {a.pk: 0 for a in self.accounts}
        self.issued: list[Receipt] = []
        self.checks: list[Payment] = []
        self.keys = 0
        self.fee = returned_payment_fee_cents(as_of=timezone.localdate())

    def teardown(self) -> None:
        if hasattr(self, "_atomic"):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    @rule(who=st.integers(0, 1), cents=st.integers(1, 20_000), by_check=st.booleans())
    def pay(self, who: int, cents: int, by_check: bool) -> None:
        account = self.accounts[who]
        self.keys += 1
        tender = CounterTender("check", cents, "100") if by_check else CounterTender("cash", cents)
        cash_only = self.returns[account.pk] >= 2
        try:
            receipt = payment_take_at_counter(
                drawer_id=self.drawer.pk, shares=[CounterShare(account.number, cents)],
                tender=tender, idempotency_key=f"sm-{self.keys}", actor=self.cashier,
            )  # fmt: skip
        except ServiceError:
            assert by_check and cash_only, "only a check from a cash-only account is refused"
            return
        assert not (by_check and cash_only), "a cash-only account paid by check"
        self.expected[account.pk] -= cents
        self.issued.append(receipt)
        if by_check:
            self.checks.append(receipt.payments.get())

    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        if not self.issued:
            return
        receipt = data.draw(st.sampled_from(self.issued))
        payment = receipt.payments.get()
        receipt_void(receipt_id=receipt.pk, reason="state machine", actor=self.senior)
        self.issued.remove(receipt)
        self.checks = [p for p in self.checks if p.pk != payment.pk]
        self.expected[payment.account_id] += payment.amount_cents

    @rule(data=st.data())
    def bounce(self, data: st.DataObject) -> None:
        if not self.checks:
            return
        payment = data.draw(st.sampled_from(self.checks))
        payment_return(
            payment_id=payment.pk, reason_code="nsf", returned_on=timezone.localdate(),
            actor=self.clerk,
        )  # fmt: skip
        self.checks.remove(payment)
        self.issued = [r for r in self.issued if r.pk != payment.receipt_id]
        self.expected[payment.account_id] += payment.amount_cents + self.fee
        self.returns[payment.account_id] += 1

    @invariant()
    def balances_match_the_model_and_the_ledger_is_sound(self) -> None:
        if not hasattr(self, "accounts"):
            return
        for account in self.accounts:
            assert account_balance_cents(account_id=account.pk) == self.expected[account.pk]
        assert_ledger_sound()
        numbers = sorted(Receipt.objects.values_list("number", flat=True))
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else True


@pytest.mark.django_db
def test_payments_voids_and_returns_keep_the_books_with_the_model() -> None:
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        CounterMachine,
        settings=settings(
            max_examples=12,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
