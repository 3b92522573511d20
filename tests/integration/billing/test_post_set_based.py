"""Set-based bill posting writes exactly what the single path writes, and refuses the same.

The bill run posts a chunk through ``ledger.bulk_set`` (lines summed by the database);
``bill_post`` posts one bill through ``journal_entry_post``. For the same bills the two must
leave identical entries (content hash included), postings in the same order and the same
audit rows — compared column by column, ids and recorded times aside.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from cistern.billing.models import Bill, BillException, BillLine, BillRun
from cistern.billing.posting import bill_entry_request
from cistern.billing.services import (
    bill_post,
    bill_run_calculate,
    bill_run_create,
    bill_run_post,
    bill_run_review,
)
from cistern.core.models import AuditEvent
from cistern.ledger import codes
from cistern.ledger.checks import ledger_check
from cistern.ledger.models import JournalEntry, LedgerAccount
from cistern.ledger.services import Leg, journal_entry_post
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db
JAN_1, JAN_31 = date(2025, 1, 1), date(2025, 1, 31)


class _Undo(Exception):
    pass


def _reviewed_run(clerk, count: int) -> BillRun:
    cycle = makers.cycle()
    for n in range(count):
        makers.read(makers.account(billing_cycle=cycle), JAN_31, 4 + n % 9)
    run = bill_run_create(
        cycle=cycle, period_start=JAN_1, period_end=JAN_31,
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip
    return bill_run_review(run=bill_run_calculate(run=run, actor=clerk), actor=clerk)


def _add_line(bill: Bill, category: str, cents: int) -> None:
    line = bill.lines.order_by("-seq").first()
    line.pk, line.seq, line.category, line.amount_cents = None, line.seq + 1, category, cents
    line.save()


def _awkward_bills(run: BillRun) -> list[Bill]:
    """Bills whose entries test the grouping: two fee categories on one receivable, a
    credit, a category that sums to zero, and a bill that moves nothing."""
    bills = list(run.bills.order_by("account_id"))
    _add_line(bills[0], codes.CATEGORY_LATE_FEE, 1000)
    _add_line(bills[0], codes.CATEGORY_RECONNECTION_FEE, 999)
    _add_line(bills[0], codes.CATEGORY_LATE_FEE, 1)
    _add_line(bills[1], codes.CATEGORY_OTHER, -12345)
    water = sum(bills[2].lines.filter(category="water").values_list("amount_cents", flat=True))
    _add_line(bills[2], codes.CATEGORY_WATER, -water)
    BillLine.objects.filter(bill=bills[3]).update(amount_cents=0)
    return bills


def _snapshot(run: BillRun) -> dict[int, dict]:
    """Per bill: its status, its entry's columns, postings in order and audit rows."""
    shot = {}
    for bill in run.bills.order_by("pk"):
        entry = bill.journal_entry
        shot[bill.pk] = {"status": bill.status, "entry": None}
        if entry is None:
            continue
        shot[bill.pk]["entry"] = (
            entry.idempotency_key, entry.content_hash, entry.effective_date, entry.source,
            entry.source_ref, entry.memo, entry.actor_id, entry.reverses_id,
            [(p.ledger_account.code, p.amount_cents, p.customer_account_id, p.charge_category,
              p.effective_date) for p in entry.postings.select_related("ledger_account")],
            [(a.action, a.subject_type, a.account_id, a.actor_id, a.before, a.after, a.reason)
             for a in AuditEvent.objects.filter(
                 subject_type="ledger.JournalEntry", subject_id=str(entry.pk)).order_by("pk")],
        )  # fmt: skip
    return shot


def test_set_based_posting_writes_exactly_what_journal_entry_post_writes(
    clerk, rates, caplog
) -> None:
    # given a reviewed run with awkward bills among plain ones
    run = _reviewed_run(clerk, 9)
    _awkward_bills(run)

    # when it posts set-based (in chunks) and, instead, bill by bill through the single path
    with pytest.raises(_Undo), transaction.atomic():
        bill_run_post(run=run, actor=clerk, chunk_size=4)
        set_based = _snapshot(run)
        raise _Undo
    with transaction.atomic():
        for bill in run.bills.order_by("account_id"):
            bill_post(bill=bill, actor=clerk)
    single = _snapshot(run)

    # then the set-based path posted every chunk (no fallback to the single path)
    assert not [r for r in caplog.records if r.name == "cistern.billing.posting"]
    # and both wrote the same rows, and the set-based hash is journal_entry_post's
    assert set_based == single
    assert sum(1 for s in single.values() if s["entry"] is None) == 1
    fees = next(s["entry"] for s in single.values() if s["entry"] and len(s["entry"][8]) == 8)
    assert [leg[:2] for leg in fees[8][4:]] == [
        (codes.AR_FEES, 1001), (codes.FEE_LATE, -1001),
        (codes.AR_FEES, 999), (codes.FEE_RECONNECTION, -999),
    ]  # fmt: skip


def test_set_posted_entries_replay_under_journal_entry_post(clerk, rates) -> None:
    # given a run posted set-based
    run = bill_run_post(run=_reviewed_run(clerk, 5), actor=clerk)
    entries = JournalEntry.objects.count()
    # when each bill's entry is posted again through the single path under its key
    for bill in run.bills.select_related("journal_entry"):
        request = bill_entry_request(bill, list(bill.lines.values_list("category", "amount_cents")))
        replay = journal_entry_post(
            idempotency_key=request.idempotency_key, effective_date=request.effective_date,
            source=request.source, source_ref=request.source_ref, memo=request.memo,
            legs=request.legs, actor=clerk,
        )  # fmt: skip
        # then it is a replay of the set-posted entry (same key, same content hash)
        assert replay.pk == bill.journal_entry_id
        assert replay.content_hash == request.content_hash
    assert JournalEntry.objects.count() == entries
    assert all(not problems for problems in ledger_check().values())


def test_a_key_already_used_for_other_content_sets_the_bill_aside(clerk, rates) -> None:
    run = _reviewed_run(clerk, 4)
    taken = run.bills.order_by("account_id")[1]
    journal_entry_post(
        idempotency_key=f"bill:{taken.pk}", effective_date=date(2025, 2, 3), source="bill",
        legs=[Leg(codes.AR_WATER, 7, taken.account_id, "water"), Leg(codes.REV_WATER, -7)],
        actor=clerk,
    )  # fmt: skip
    run = bill_run_post(run=run, actor=clerk)
    taken.refresh_from_db()
    assert taken.status == Bill.Status.HELD and "already used" in taken.held_reason
    assert BillException.objects.filter(bill=taken, kind=BillException.Kind.FAILED).exists()
    assert run.bills_posted == 3
    assert run.bills.filter(status=Bill.Status.POSTED).count() == 3


def test_bills_charging_an_inactive_ledger_account_are_set_aside_the_rest_post(
    clerk, rates
) -> None:
    run = _reviewed_run(clerk, 5)
    fee_bill = run.bills.order_by("account_id")[2]
    _add_line(fee_bill, codes.CATEGORY_DOOR_TAG_FEE, 2500)
    LedgerAccount.objects.filter(code=codes.FEE_DOOR_TAG).update(active=False)
    run = bill_run_post(run=run, actor=clerk)
    fee_bill.refresh_from_db()
    assert fee_bill.status == Bill.Status.HELD and "inactive" in fee_bill.held_reason
    assert fee_bill.journal_entry_id is None
    assert run.bills.filter(status=Bill.Status.POSTED).count() == 4
    assert JournalEntry.objects.filter(source="bill").count() == 4
    assert all(not problems for problems in ledger_check().values())
