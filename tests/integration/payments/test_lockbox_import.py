"""Lockbox imports: all or nothing, every problem listed, the same file twice posts once."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cistern.ledger.models import JournalEntry
from cistern.payments.domain import LockboxItem, lockbox_write, scan_line_parse
from cistern.payments.domain.scan_line import scan_line_build
from cistern.payments.lockbox_services import LockboxImportRefused
from cistern.payments.models import LockboxImport, Payment, PaymentBatch
from cistern.payments.services import lockbox_import
from tests.integration.payments.conftest import assert_ledger_sound, balance

pytestmark = pytest.mark.django_db
DEPOSIT = date(2025, 3, 14)


def item(account, seq: int, cents: int, batch: str = "LB0314", check: str = "") -> LockboxItem:
    return LockboxItem(
        batch_id=batch,
        item_sequence=seq,
        scan_line=scan_line_parse(scan_line_build(account.number, cents)),
        amount_paid_cents=cents,
        check_number=check or str(1000 + seq),
        payer_name=f"Payer {seq}",
        deposit_date=DEPOSIT,
    )


def written() -> tuple[int, int, int, int]:
    return (
        LockboxImport.objects.count(),
        PaymentBatch.objects.count(),
        Payment.objects.count(),
        JournalEntry.objects.count(),
    )


def test_a_good_file_posts_every_item_in_its_bank_batches(csr2, maria, james) -> None:
    data = lockbox_write([item(maria, 1, 12000), item(james, 2, 2000, batch="LB0315")])
    outcome = lockbox_import(data=data, filename="lockbox.csv", actor=csr2)
    assert outcome.created
    record = outcome.lockbox_import
    assert (record.item_count, record.total_cents) == (2, 14000)
    assert record.batches.count() == 2
    assert balance(maria) == 0 and balance(james) == 3000
    assert_ledger_sound()


def test_the_same_file_twice_posts_once(csr2, maria) -> None:
    data = lockbox_write([item(maria, 1, 5000)])
    first = lockbox_import(data=data, filename="a.csv", actor=csr2)
    again = lockbox_import(data=data, filename="a-again.csv", actor=csr2)
    assert not again.created and again.lockbox_import.pk == first.lockbox_import.pk
    assert Payment.objects.count() == 1 and balance(maria) == 7000


def test_a_resent_file_with_a_changed_byte_does_not_post_its_items_again(csr2, maria) -> None:
    data = lockbox_write([item(maria, 1, 5000)])
    lockbox_import(data=data, filename="a.csv", actor=csr2)
    with pytest.raises(LockboxImportRefused) as refused:
        lockbox_import(data=data + b"\n", filename="a2.csv", actor=csr2)
    assert refused.value.problems[0].code == "already_posted"
    assert Payment.objects.count() == 1


def test_an_unknown_account_refuses_the_whole_file_listing_its_line(csr2, maria) -> None:
    from cistern.core.domain.check_digit import with_check_digit

    stranger = type("A", (), {"number": with_check_digit("9999998")})()
    data = lockbox_write([item(maria, 1, 5000), item(stranger, 2, 100)])
    before = written()
    with pytest.raises(LockboxImportRefused) as refused:
        lockbox_import(data=data, filename="x.csv", actor=csr2)
    assert [(p.line_number, p.code) for p in refused.value.problems] == [(3, "unknown_account")]
    assert written() == before and balance(maria) == 12000


def test_bad_totals_and_bad_check_digits_are_all_listed_and_nothing_posts(csr2, maria) -> None:
    good = lockbox_write([item(maria, 1, 5000), item(maria, 2, 100)]).decode()
    lines = good.splitlines()
    digits = lines[2].split(",")[2]
    lines[2] = lines[2].replace(digits, digits[:-1] + str((int(digits[-1]) + 1) % 10))
    lines[-1] = "TRAILER,2,999.99"
    before = written()
    with pytest.raises(LockboxImportRefused) as refused:
        lockbox_import(data=("\n".join(lines) + "\n").encode(), filename="x.csv", actor=csr2)
    reasons = refused.value.lines()
    assert any(r.startswith("line 3:") for r in reasons), reasons
    assert written() == before


def test_a_utf16_file_is_refused_with_its_reason(csr2, maria) -> None:
    data = lockbox_write([item(maria, 1, 5000)]).decode().encode("utf-16")
    with pytest.raises(LockboxImportRefused) as refused:
        lockbox_import(data=data, filename="x.csv", actor=csr2)
    assert refused.value.problems
    assert written()[0] == 0


MUTATIONS = st.one_of(
    st.tuples(st.just("truncate"), st.integers(min_value=1, max_value=400)),
    st.tuples(st.just("flip"), st.integers(min_value=0, max_value=400)),
    st.tuples(st.just("duplicate_line"), st.integers(min_value=1, max_value=3)),
    st.tuples(st.just("drop_line"), st.integers(min_value=1, max_value=4)),
    st.tuples(st.just("latin1"), st.just(0)),
)


def mutate(data: bytes, how: tuple[str, int]) -> bytes:
    kind, n = how
    lines = data.split(b"\n")
    if kind == "truncate":
        return data[: max(0, len(data) - n)]
    if kind == "flip":
        i = n % len(data)
        return data[:i] + bytes([data[i] ^ 0x15]) + data[i + 1 :]
    if kind == "duplicate_line":
        i = n % len(lines)
        return b"\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
    if kind == "drop_line":
        i = n % len(lines)
        return b"\n".join(lines[:i] + lines[i + 1 :])
    return data.replace(b"Payer", "Pay\u00e9r".encode("latin-1"))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(how=MUTATIONS)
def test_fuzzed_files_are_refused_whole_or_posted_whole(how, csr2, maria, james) -> None:
    good = lockbox_write([item(maria, 1, 5000), item(james, 2, 2000), item(maria, 3, 700)])
    data = mutate(good, how)
    with transaction.atomic():
        before = written()
        try:
            outcome = lockbox_import(data=data, filename="fuzz.csv", actor=csr2)
        except LockboxImportRefused as refused:
            assert refused.problems and all(p.reason for p in refused.problems)
            assert written() == before
        else:
            record = outcome.lockbox_import
            assert Payment.objects.filter(batch__lockbox_import=record).count() == record.item_count
            assert_ledger_sound()
        transaction.set_rollback(True)
