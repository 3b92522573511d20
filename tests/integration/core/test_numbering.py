"""Gapless sequences: a rolled-back number is handed out again; concurrent takers never collide."""

import threading

import pytest
from django.db import connection, transaction

from cistern.core.domain.check_digit import luhn_is_valid
from cistern.core.numbering import account_number_next, sequence_next

pytestmark = pytest.mark.django_db


def test_numbers_run_without_gaps() -> None:
    with transaction.atomic():
        taken = [sequence_next("receipt") for _ in range(5)]
    assert taken == [1, 2, 3, 4, 5]


def test_a_rolled_back_transaction_gives_its_number_back() -> None:
    with transaction.atomic():
        assert sequence_next("receipt") == 1
    with pytest.raises(RuntimeError, match="changed my mind"), transaction.atomic():
        assert sequence_next("receipt") == 2
        raise RuntimeError("changed my mind")
    with transaction.atomic():
        assert sequence_next("receipt") == 2


def test_sequences_are_independent() -> None:
    with transaction.atomic():
        assert (sequence_next("a"), sequence_next("b"), sequence_next("a")) == (1, 1, 2)


def test_account_numbers_carry_a_check_digit() -> None:
    with transaction.atomic():
        first, second = account_number_next(), account_number_next()
    assert first == "10000016"
    assert luhn_is_valid(first) and luhn_is_valid(second) and first != second


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_threads_taking_numbers_at_once_get_unique_gapless_numbers() -> None:
    results: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker() -> None:
        try:
            start.wait()
            for _ in range(10):
                with transaction.atomic():
                    value = sequence_next("receipt")
                with lock:
                    results.append(value)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(results) == list(range(1, 81))
