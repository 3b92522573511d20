"""Final bills for move-outs, and corrections (cancel a posted bill, then rebill).

A posted bill is never edited. Cancelling posts the reversing entry of its journal entry
(linked to it) and marks it cancelled; the corrected bill is computed afresh from the
current reads and rates for the same period and posted with its own entry. Payments and
credits are separate ledger entries against the account, so they stay applied: the
balance afterwards is the corrected bill less what was paid.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cistern.billing.inputs import load_inputs
from cistern.billing.lines import bill_line_rows
from cistern.billing.models import Bill, BillLine
from cistern.billing.posting import bill_post
from cistern.billing.rating import NoRate, RaterSet
from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.models import Account
from cistern.ledger.services import journal_entry_reverse
from cistern.metering.models import MeterRead
from cistern.rates.domain import RatingError

FINAL_READ_NOT_BILLABLE = "The final read is held for review. Release or correct it first."
FINAL_READ_OTHER_PREMISE = "The final read is not from a meter at this account's premise."
STOP_BEFORE_START = "The stop date {stop} is before the period still to bill ({start})."
NOT_POSTED = "Only a posted bill can be cancelled; this bill is {status}."
CANNOT_RATE = "The bill cannot be calculated: {detail}"
REASON_REQUIRED = "Give the reason for the correction."


def _next_period_start(account: Account) -> date:
    last = (
        Bill.objects.filter(account=account)
        .exclude(status=Bill.Status.CANCELLED)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    return last + timedelta(days=1) if last else account.start_date


def _compute(
    account: Account, first_day: date, last_day: date, *, estimate: bool, **fields: Any
) -> Bill:
    """Rate the account for [first_day, last_day] and write the bill and lines (draft)."""
    account = Account.objects.select_related("premise").get(pk=account.pk)
    (item,) = load_inputs([account], first_day=first_day, last_day=last_day, estimate=estimate)
    try:
        lines = RaterSet.for_period(period_end=last_day).rate(
            attrs=item.attrs,
            services=item.services,
            usage=item.usage,
            unit=item.unit,
            first_day=first_day,
            last_day=last_day,
        )
    except (NoRate, RatingError) as error:
        raise ServiceError(_(CANNOT_RATE).format(detail=error)) from error
    bill = Bill.objects.create(
        account=account,
        period_start=first_day,
        period_end=last_day,
        total_cents=sum(c.line.amount_cents for c in lines),
        usage=item.usage,
        usage_unit=item.unit.value,
        estimated=item.estimated,
        estimated_before=item.estimated_before,
        reads_used=item.read_ids,
        **fields,
    )
    BillLine.objects.bulk_create(bill_line_rows(bill, lines))
    return bill


@transaction.atomic
def final_bill_create(
    *,
    account: Account,
    stop_date: date,
    final_read: MeterRead | None,
    bill_date: date,
    due_date: date,
    actor: Any,
) -> Bill:
    """Bill a move-out from the end of the last bill to ``stop_date`` (inclusive), prorated."""
    account = Account.objects.select_for_update().select_related("premise").get(pk=account.pk)
    if final_read is not None:
        if not final_read.billable:
            raise ServiceError(_(FINAL_READ_NOT_BILLABLE), field="final_read")
        if final_read.installation.premise_id != account.premise_id:
            raise ServiceError(_(FINAL_READ_OTHER_PREMISE), field="final_read")
    first_day = _next_period_start(account)
    if stop_date < first_day:
        raise ServiceError(
            _(STOP_BEFORE_START).format(stop=stop_date, start=first_day), field="stop_date"
        )
    bill = _compute(
        account, first_day, stop_date, estimate=final_read is None,
        kind=Bill.Kind.FINAL, bill_date=bill_date, due_date=due_date,
    )  # fmt: skip
    bill_post(bill=bill, actor=actor)
    audit_record(
        actor=actor, action="billing.bill.final", subject=bill, account_id=account.pk,
        after={"period_end": stop_date, "total_cents": bill.total_cents},
    )  # fmt: skip
    return bill


@transaction.atomic
def bill_cancel_and_rebill(*, bill: Bill, reason: str, as_of: date, actor: Any) -> Bill:
    """Reverse a posted bill and post its corrected replacement; returns the new bill."""
    if not reason or not reason.strip():
        raise ServiceError(_(REASON_REQUIRED), field="reason")
    Account.objects.select_for_update().get(pk=bill.account_id)
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    if bill.status != Bill.Status.POSTED:
        raise ServiceError(_(NOT_POSTED).format(status=bill.get_status_display()))
    if bill.journal_entry is not None:
        journal_entry_reverse(
            entry=bill.journal_entry,
            effective_date=max(as_of, bill.journal_entry.effective_date),
            reason=reason,
            actor=actor,
            idempotency_key=f"bill-cancel:{bill.pk}",
        )
    bill.status = Bill.Status.CANCELLED
    bill.cancelled_reason = reason.strip()[:300]
    bill.save(update_fields=["status", "cancelled_reason"])
    due_days = (bill.due_date - bill.bill_date).days
    new_bill = _compute(
        bill.account, bill.period_start, bill.period_end, estimate=True,
        kind=Bill.Kind.REBILL, replaces=bill, bill_date=as_of,
        due_date=as_of + timedelta(days=due_days),
    )  # fmt: skip
    bill_post(bill=new_bill, actor=actor)
    audit_record(
        actor=actor, action="billing.bill.cancel_rebill", subject=bill, reason=reason,
        account_id=bill.account_id,
        before={"total_cents": bill.total_cents},
        after={"replaced_by": new_bill.pk, "total_cents": new_bill.total_cents},
    )  # fmt: skip
    return new_bill
