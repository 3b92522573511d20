"""PostgreSQL concurrency: cashiers paying one account at once; receipt numbers taken at once."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from cistern.ledger.models import Posting
from cistern.payments.models import Payment, Receipt
from cistern.payments.posting import CATEGORY_CREDIT
from cistern.payments.services import (
    CounterShare,
    CounterTender,
    drawer_open,
    payment_take_at_counter,
)
from cistern.staff.roles import Role
from tests.factories.staff import staff_user
from tests.integration.payments.conftest import assert_ledger_sound, balance

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(jobs: list[Callable[[], None]]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def wrap(job: Callable[[], None]) -> None:
        try:
            barrier.wait()
            job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_two_cashiers_paying_the_same_account_at_once_apply_without_overlap(maria) -> None:
    # given two cashiers with open drawers, and Maria owing $120 (water $80, sewer $40)
    cashiers = [staff_user(Role.CSR_I, username=f"cashier{i}") for i in range(2)]
    drawers = [drawer_open(counts={"bill_20": 1}, actor=c) for c in cashiers]

    def pay(i: int) -> Callable[[], None]:
        return lambda: payment_take_at_counter(
            drawer_id=drawers[i].pk, shares=[CounterShare(maria.number, 6000)],
            tender=CounterTender("cash", 6000), idempotency_key=f"race-{i}", actor=cashiers[i],
        )  # fmt: skip

    # when both take $60 at the same moment
    assert run_at_once([pay(0), pay(1)]) == []
    # then both posted, the account is paid in full, and no charge was paid twice
    assert Payment.objects.filter(status="posted").count() == 2
    assert balance(maria) == 0
    assert not Posting.objects.filter(charge_category=CATEGORY_CREDIT).exists()
    assert_ledger_sound()


def test_many_drawers_taking_receipt_numbers_at_once_get_unique_gapless_numbers(maria) -> None:
    cashiers = [staff_user(Role.CSR_I, username=f"teller{i}") for i in range(6)]
    drawers = [drawer_open(counts={"bill_20": 1}, actor=c) for c in cashiers]
    per_drawer = 5

    def work(i: int) -> Callable[[], None]:
        def job() -> None:
            for n in range(per_drawer):
                payment_take_at_counter(
                    drawer_id=drawers[i].pk, shares=[CounterShare(maria.number, 100)],
                    tender=CounterTender("cash", 100), idempotency_key=f"d{i}-{n}",
                    actor=cashiers[i],
                )  # fmt: skip

        return job

    assert run_at_once([work(i) for i in range(len(drawers))]) == []
    numbers = sorted(Receipt.objects.values_list("number", flat=True))
    assert len(numbers) == len(drawers) * per_drawer
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert balance(maria) == 12000 - 100 * len(numbers)
    assert_ledger_sound()


def test_racing_replays_of_one_api_request_post_once(maria) -> None:
    import json

    from django.test import Client

    from cistern.api.keys import api_key_create

    raw = api_key_create(name="IVR race")[1]
    data = json.dumps({
        "account_number": maria.number, "amount_cents": 1000, "channel": "ivr",
        "tender": "ach", "processor_reference": "ach-1",
    })  # fmt: skip
    statuses: list[int] = []

    def send() -> None:
        response = Client().post(
            "/api/v1/payments", data=data, content_type="application/json",
            HTTP_X_API_KEY=raw, HTTP_IDEMPOTENCY_KEY="race",
        )  # fmt: skip
        statuses.append(response.status_code)

    assert run_at_once([send for _ in range(4)]) == []
    assert statuses == [201] * 4
    assert Payment.objects.count() == 1 and balance(maria) == 11000
