"""Calculating a bill run: the dry run. Draft bills, lines and exceptions; no ledger writes.

Calculating again replaces the run's draft and held bills (and their review decisions)
with fresh ones; posted bills are never touched. One chunk of accounts per transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.billing.chunks import (
    DEFAULT_CHUNK_SIZE,
    FaultHook,
    ProgressHook,
    account_chunks,
    run_chunks,
)
from cistern.billing.domain.checks import total_checks
from cistern.billing.inputs import AccountInputs, cycle_accounts, load_inputs
from cistern.billing.lines import LINE_FIELDS
from cistern.billing.models import Bill, BillException, BillLine, BillRun
from cistern.billing.rating import CategorizedLine, NoRate, RaterSet
from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.models import Account
from cistern.ledger.bulk_sql import insert_returning_ids, insert_rows, prepared
from cistern.rates.domain import RatingError

RUN_NOT_DRAFT = "Only a draft run can be calculated; this run is {status}."
Kind = BillException.Kind


def bill_run_calculate(
    *,
    run: BillRun,
    actor: Any,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_chunk: ProgressHook | None = None,
    fault: FaultHook | None = None,
) -> BillRun:
    """Compute every bill of the run's cycle as a draft, chunk by chunk."""
    if run.status not in (BillRun.Status.DRAFT, BillRun.Status.REVIEWED) or run.post_started_at:
        raise ServiceError(_(RUN_NOT_DRAFT).format(status=run.get_status_display()))
    ids = list(
        Account.objects.filter(
            cycle_accounts(
                cycle_id=run.cycle_id, first_day=run.period_start, last_day=run.period_end
            )
        ).values_list("id", flat=True)
    )
    BillRun.objects.filter(pk=run.pk).update(status=BillRun.Status.DRAFT, accounts_total=len(ids))
    raters = RaterSet.for_period(period_end=run.period_end)
    run_chunks(
        account_chunks(ids, chunk_size),
        lambda chunk: bill_run_calculate_chunk(
            run_id=run.pk,
            first_account_id=chunk.first_account_id,
            last_account_id=chunk.last_account_id,
            raters=raters,
            chunk_index=chunk.index,
            fault=fault,
        ),
        on_chunk=on_chunk,
    )
    return _finish(run, actor)


def _finish(run: BillRun, actor: Any) -> BillRun:
    with transaction.atomic():
        run = BillRun.objects.select_for_update().get(pk=run.pk)
        bills = run.bills.exclude(status=Bill.Status.CANCELLED)
        run.bills_calculated = bills.count()
        run.total_cents = (
            bills.exclude(status=Bill.Status.HELD).aggregate(s=Sum("total_cents"))["s"] or 0
        )
        run.calculated_at = timezone.now()
        run.save()
        audit_record(
            actor=actor,
            action="billing.run.calculate",
            subject=run,
            after={"bills": run.bills_calculated, "total_cents": run.total_cents},
        )
    return run


def bill_run_calculate_chunk(
    *,
    run_id: int,
    first_account_id: int,
    last_account_id: int,
    raters: RaterSet | None = None,
    chunk_index: int = 0,
    fault: FaultHook | None = None,
) -> int:
    """(Re)compute the drafts of accounts in [first, last]; returns the bills written."""
    with transaction.atomic():
        run = BillRun.objects.select_related("cycle").get(pk=run_id)
        raters = raters or RaterSet.for_period(period_end=run.period_end)
        accounts = list(
            Account.objects.filter(
                cycle_accounts(
                    cycle_id=run.cycle_id, first_day=run.period_start, last_day=run.period_end
                ),
                id__gte=first_account_id,
                id__lte=last_account_id,
            )
            .select_related("premise")
            .order_by("id")
        )
        _discard_drafts(run, first_account_id, last_account_id)
        posted = set(
            run.bills.filter(
                account_id__gte=first_account_id,
                account_id__lte=last_account_id,
                status=Bill.Status.POSTED,
            ).values_list("account_id", flat=True)
        )
        todo = [a for a in accounts if a.pk not in posted]
        elsewhere = _billed_elsewhere(run, [a.pk for a in todo])
        inputs = load_inputs(todo, first_day=run.period_start, last_day=run.period_end)
        history = _recent_totals([a.pk for a in todo], run)
        writer = _ChunkWriter(run)
        for position, item in enumerate(inputs):
            if item.account.pk in elsewhere:
                writer.exception(item.account.pk, None, Kind.FAILED, elsewhere[item.account.pk])
            else:
                _calculate_one(writer, item, raters, history.get(item.account.pk, []))
            if fault is not None:
                fault(chunk_index, position)
        return writer.flush()


class _ChunkWriter:
    """Collects a chunk's bills, lines and exceptions, then writes them in bulk."""

    def __init__(self, run: BillRun) -> None:
        self.run = run
        self.bills: list[tuple[Bill, list[CategorizedLine]]] = []
        self.exceptions: list[BillException] = []

    def bill(self, bill: Bill, lines: list[CategorizedLine]) -> None:
        self.bills.append((bill, lines))

    def exception(self, account_id: int, bill: Bill | None, kind: str, detail: str) -> None:
        self.exceptions.append(
            BillException(
                run=self.run, account_id=account_id, bill=bill, kind=kind, detail=detail[:500]
            )
        )

    def flush(self) -> int:
        """Write the chunk: bills and lines as plain rows (``ledger.bulk_sql``; the ORM's
        ``bulk_create`` spent most of a run building and preparing instances), then the
        few exceptions through the ORM."""
        bills = [bill for bill, _lines in self.bills]
        ids = insert_returning_ids(Bill, BILL_COLUMNS, [_bill_row(bill) for bill in bills])
        for bill, bill_id in zip(bills, ids, strict=True):
            bill.pk = bill_id
        insert_rows(BillLine, LINE_COLUMNS, _line_rows(self.bills))
        for exception in self.exceptions:
            exception.bill_id = exception.bill.pk if exception.bill is not None else None
        BillException.objects.bulk_create(self.exceptions)
        return len(self.bills)


BILL_COLUMNS = (
    "run", "account", "kind", "period_start", "period_end", "bill_date", "due_date", "status",
    "total_cents", "usage", "usage_unit", "estimated", "estimated_before", "reads_used",
    "held_reason", "cancelled_reason",
)  # fmt: skip
LINE_COLUMNS = ("bill", *LINE_FIELDS)


@lru_cache(maxsize=4096)
def _day(value: date | None) -> object:
    """A date as the database adapter wants it (cached: a run has a handful of dates)."""
    return prepared(Bill, "period_start", value) if value is not None else None


def _bill_row(bill: Bill) -> tuple:
    return (
        bill.run_id, bill.account_id, bill.kind, _day(bill.period_start),
        _day(bill.period_end), _day(bill.bill_date), _day(bill.due_date), bill.status,
        bill.total_cents, bill.usage, bill.usage_unit, bill.estimated, bill.estimated_before,
        json.dumps(bill.reads_used), "", "",
    )  # fmt: skip


def _line_rows(bills: list[tuple[Bill, list[CategorizedLine]]]) -> Iterator[tuple]:
    """The rows ``lines.bill_line_rows`` describes, as tuples in ``LINE_COLUMNS`` order."""
    for bill, lines in bills:
        for seq, item in enumerate(lines, start=1):
            line = item.line
            version = int(line.version_id) if line.version_id.isdigit() else None
            yield (
                bill.pk, seq, line.code, line.label, version, _day(line.start),
                _day(line.end), line.days, line.proration, line.tier, line.tier_from,
                line.tier_to, line.unit, line.quantity, line.unit_price, line.amount_cents,
                item.category,
            )  # fmt: skip


OVER_ESTIMATED = (
    "Earlier estimated bills charged {excess} {unit} more than the reads show; this bill "
    "charges no use. Cancel and rebill those estimated bills to credit the difference."
)
ALREADY_BILLED = "Already billed for this period by bill {number}; cancel it first."


def _billed_elsewhere(run: BillRun, account_ids: list[int]) -> dict[int, str]:
    """Accounts with a live bill for this very period outside this run (unique per period)."""
    rows = (
        Bill.objects.filter(
            account_id__in=account_ids,
            period_start=run.period_start,
            period_end=run.period_end,
        )
        .exclude(status=Bill.Status.CANCELLED)
        .exclude(run=run)
    )
    return {b.account_id: ALREADY_BILLED.format(number=b.number) for b in rows}


def _discard_drafts(run: BillRun, first: int, last: int) -> None:
    scope = {"account_id__gte": first, "account_id__lte": last}
    run.exceptions.filter(**scope).delete()
    run.bills.filter(status__in=[Bill.Status.DRAFT, Bill.Status.HELD], **scope).delete()


def _recent_totals(account_ids: list[int], run: BillRun) -> dict[int, list[int]]:
    rows = (
        Bill.objects.filter(
            account_id__in=account_ids,
            status=Bill.Status.POSTED,
            period_end__lt=run.period_start,
        )
        .order_by("account_id", "-period_end")
        .values_list("account_id", "total_cents")
    )
    grouped: dict[int, list[int]] = defaultdict(list)
    for account_id, total in rows:
        grouped[account_id].append(total)
    return grouped


def _calculate_one(
    writer: _ChunkWriter, item: AccountInputs, raters: RaterSet, recent: list[int]
) -> None:
    run, account = writer.run, item.account
    try:
        lines = raters.rate(
            attrs=item.attrs,
            services=item.services,
            usage=item.usage,
            unit=item.unit,
            first_day=run.period_start,
            last_day=run.period_end,
        )
    except (NoRate, RatingError) as error:
        writer.exception(account.pk, None, Kind.NO_RATE, str(error))
        return
    except Exception as error:  # set the account aside, go on with the run
        writer.exception(account.pk, None, Kind.FAILED, f"{type(error).__name__}: {error}")
        return
    bill = Bill(
        run=run,
        account=account,
        period_start=run.period_start,
        period_end=run.period_end,
        bill_date=run.bill_date,
        due_date=run.due_date,
        total_cents=sum(c.line.amount_cents for c in lines),
        usage=item.usage,
        usage_unit=item.unit.value,
        estimated=item.estimated,
        estimated_before=item.estimated_before,
        reads_used=item.read_ids,
    )
    writer.bill(bill, lines)
    _flag(writer, item, bill, recent)


def _flag(writer: _ChunkWriter, item: AccountInputs, bill: Bill, recent: list[int]) -> None:
    run, account_id = writer.run, item.account.pk
    if item.waiting_read_ids:
        ids = ", ".join(str(i) for i in item.waiting_read_ids)
        writer.exception(account_id, bill, Kind.READ_EXCEPTION, f"Reads waiting: {ids}")
    if item.estimated:
        detail = (
            "No read and no history: billed zero use."
            if item.no_estimate
            else f"Estimated {item.usage} {item.unit.value} from history."
        )
        writer.exception(account_id, bill, Kind.ESTIMATED, detail)
    if item.over_estimated:
        detail = OVER_ESTIMATED.format(excess=item.over_estimated, unit=item.unit.value)
        writer.exception(account_id, bill, Kind.OVER_ESTIMATED, detail)
    for kind, detail in total_checks(
        total_cents=bill.total_cents,
        recent_totals=recent,
        high_factor=run.high_factor,
        low_factor=run.low_factor,
    ):
        writer.exception(account_id, bill, kind, detail)
