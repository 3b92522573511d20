"""Real payment objects for tests outside this folder (e.g. the route walk's samples).

Each maker builds what it returns through the services, for ``account`` (any customer
account), with its own cashier so it never collides with the staff cast's drawers.
"""

from __future__ import annotations

import itertools
from typing import Any

from django.utils import timezone

from cistern.ledger.chart_services import ledger_chart_seed
from cistern.payments.models import DrawerSession, Payment, PaymentBatch
from cistern.payments.services import (
    CounterShare,
    CounterTender,
    batch_item_add,
    batch_open,
    drawer_open,
    payment_return,
    payment_take_at_counter,
)
from cistern.staff.roles import Role
from tests.factories.staff import staff_user

_serial = itertools.count(1)


def _cashier() -> Any:
    return staff_user(Role.CSR_I, username=f"sample-cashier-{next(_serial)}")


def sample_drawer() -> DrawerSession:
    return drawer_open(counts={"bill_20": 5}, actor=_cashier())


def sample_check_payment(account: Any) -> Payment:
    """A posted counter check payment of $10.00 on a fresh drawer."""
    ledger_chart_seed()
    drawer = sample_drawer()
    receipt = payment_take_at_counter(
        drawer_id=drawer.pk,
        shares=[CounterShare(account.number, 1000)],
        tender=CounterTender("check", 1000, check_number="101"),
        idempotency_key=f"sample-{drawer.pk}",
        actor=drawer.cashier,
    )
    return receipt.payments.get()


def sample_batch_item(account: Any) -> tuple[PaymentBatch, Payment]:
    actor = staff_user(Role.CSR_II)
    batch = batch_open(channel="mail", control_count=1, control_amount_cents=500, actor=actor)
    item = batch_item_add(
        batch_id=batch.pk, account=account.number, amount_cents=500, tender="check", actor=actor
    )
    return batch, item


def sample_return(account: Any) -> Any:
    payment = sample_check_payment(account)
    return payment_return(
        payment_id=payment.pk,
        reason_code="nsf",
        returned_on=timezone.localdate(),
        actor=staff_user(Role.CSR_II),
    )
