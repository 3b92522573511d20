"""A lockbox import pauses Python's garbage collector and leaves it as it found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from cistern.payments.domain import lockbox_write
from cistern.payments.lockbox_services import LockboxImportRefused
from cistern.payments.models import Payment
from cistern.payments.services import lockbox_import
from tests.integration.payments.test_lockbox_import import item

pytestmark = pytest.mark.django_db


@pytest.fixture
def collector_restored() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_an_import_leaves_the_collector_on(csr2, maria, james, collector_restored) -> None:
    # given the collector on
    gc.enable()
    # when a good file is imported
    data = lockbox_write([item(maria, 1, 9000), item(james, 2, 7000)])
    lockbox_import(data=data, filename="lb.csv", actor=csr2)
    # then both items posted and the collector is on again
    assert Payment.objects.filter(status=Payment.Status.POSTED).count() == 2
    assert gc.isenabled()


def test_a_refused_file_leaves_the_collector_on(csr2, maria, collector_restored) -> None:
    gc.enable()
    data = lockbox_write([item(maria, 1, 9000)]).replace(b"9000", b"9001", 1)
    with pytest.raises(LockboxImportRefused):
        lockbox_import(data=data, filename="bad.csv", actor=csr2)
    assert gc.isenabled()


def test_an_import_leaves_a_collector_turned_off_off(csr2, maria, collector_restored) -> None:
    gc.disable()
    lockbox_import(data=lockbox_write([item(maria, 1, 9000)]), filename="lb.csv", actor=csr2)
    assert not gc.isenabled()
