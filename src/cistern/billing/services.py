"""Writes for bill runs: create, review decisions (hold/release), review, issue.

Calculating and posting live in ``calculation`` and ``posting`` (re-exported here);
final bills and corrections in ``corrections``. Status moves draft -> reviewed -> posted ->
issued. A held bill is released only by someone other than the person who held it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cistern.billing.calculation import bill_run_calculate, bill_run_calculate_chunk
from cistern.billing.corrections import bill_cancel_and_rebill, final_bill_create
from cistern.billing.documents.dispatch import bill_run_documents_start
from cistern.billing.models import Bill, BillException, BillingCycle, BillRun
from cistern.billing.posting import bill_post, bill_run_post, bill_run_post_chunk
from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError

__all__ = [
    "bill_cancel_and_rebill",
    "bill_hold",
    "bill_post",
    "bill_release",
    "bill_run_calculate",
    "bill_run_calculate_chunk",
    "bill_run_create",
    "bill_run_issue",
    "bill_run_post",
    "bill_run_post_chunk",
    "bill_run_review",
    "exception_release",
    "final_bill_create",
]

PERIOD_ORDER = "The last service day must be on or after the first."
DUE_BEFORE_BILL = "The due date must be on or after the bill date."
RUN_EXISTS = "Cycle {cycle} already has a run for {start} to {end}."
REASON_REQUIRED = "Give a reason: it is kept with the decision."
RELEASE_BY_HOLDER = "You held this bill, so someone else must release it. Ask another reviewer."
NOT_HOLDABLE = "Only a draft bill can be held; this bill is {status}."
NOT_HELD = "This bill is not held."
OPEN_EXCEPTIONS = (
    "{count} exception(s) are still open. Release or hold each account before reviewing."
)
RUN_WRONG_STATUS = "The run is {status}; this step needs it {needed}."
EXCEPTION_NOT_OPEN = "This exception was already resolved."


@transaction.atomic
def bill_run_create(
    *,
    cycle: BillingCycle,
    period_start: date,
    period_end: date,
    bill_date: date,
    due_date: date,
    actor: Any,
) -> BillRun:
    if period_end < period_start:
        raise ServiceError(_(PERIOD_ORDER), field="period_end")
    if due_date < bill_date:
        raise ServiceError(_(DUE_BEFORE_BILL), field="due_date")
    try:
        with transaction.atomic():
            run = BillRun.objects.create(
                cycle=cycle,
                period_start=period_start,
                period_end=period_end,
                bill_date=bill_date,
                due_date=due_date,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as error:
        message = _(RUN_EXISTS).format(cycle=cycle.code, start=period_start, end=period_end)
        raise ServiceError(message, field="period_start") from error
    audit_record(
        actor=actor,
        action="billing.run.create",
        subject=run,
        after={"cycle": cycle.code, "period_start": period_start, "period_end": period_end},
    )
    return run


def _reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise ServiceError(_(REASON_REQUIRED), field="reason")
    return reason.strip()[:300]


def _resolve(bill: Bill, resolution: str, reason: str, actor: Any) -> None:
    bill.exceptions.filter(resolution=BillException.Resolution.OPEN).update(
        resolution=resolution,
        resolved_by=actor if getattr(actor, "pk", None) else None,
        resolved_reason=reason,
        resolved_at=timezone.now(),
    )


@transaction.atomic
def bill_hold(*, bill: Bill, reason: str, actor: Any) -> Bill:
    """Keep a draft bill out of posting until someone else releases it."""
    reason = _reason(reason)
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    if bill.status != Bill.Status.DRAFT:
        raise ServiceError(_(NOT_HOLDABLE).format(status=bill.get_status_display()))
    bill.status = Bill.Status.HELD
    bill.held_by = actor if getattr(actor, "pk", None) else None
    bill.held_reason = reason
    bill.save(update_fields=["status", "held_by", "held_reason"])
    _resolve(bill, BillException.Resolution.HELD, reason, actor)
    _unreview(bill)
    audit_record(
        actor=actor, action="billing.bill.hold", subject=bill, reason=reason,
        account_id=bill.account_id, after={"status": bill.status},
    )  # fmt: skip
    return bill


@transaction.atomic
def bill_release(*, bill: Bill, reason: str, actor: Any) -> Bill:
    """Accept a bill as calculated: a held one goes back to draft (not by its holder)."""
    reason = _reason(reason)
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    if bill.status == Bill.Status.HELD:
        if bill.held_by_id is not None and bill.held_by_id == getattr(actor, "pk", None):
            raise ServiceError(_(RELEASE_BY_HOLDER))
        bill.status = Bill.Status.DRAFT
        bill.save(update_fields=["status"])
        bill.exceptions.update(resolution=BillException.Resolution.OPEN)
    elif bill.status != Bill.Status.DRAFT:
        raise ServiceError(_(NOT_HELD))
    _resolve(bill, BillException.Resolution.RELEASED, reason, actor)
    audit_record(
        actor=actor, action="billing.bill.release", subject=bill, reason=reason,
        account_id=bill.account_id, after={"status": bill.status},
    )  # fmt: skip
    return bill


@transaction.atomic
def exception_release(*, exception: BillException, reason: str, actor: Any) -> BillException:
    """Acknowledge an exception that has no bill (no rate, failed): the account is skipped."""
    reason = _reason(reason)
    exception = BillException.objects.select_for_update().get(pk=exception.pk)
    if exception.bill_id is not None:
        bill_release(bill=exception.bill, reason=reason, actor=actor)
        exception.refresh_from_db()
        return exception
    if exception.resolution != BillException.Resolution.OPEN:
        raise ServiceError(_(EXCEPTION_NOT_OPEN))
    exception.resolution = BillException.Resolution.RELEASED
    exception.resolved_by = actor if getattr(actor, "pk", None) else None
    exception.resolved_reason = reason
    exception.resolved_at = timezone.now()
    exception.save()
    audit_record(
        actor=actor, action="billing.exception.release", subject=exception, reason=reason,
        account_id=exception.account_id,
    )  # fmt: skip
    return exception


def _unreview(bill: Bill) -> None:
    if bill.run_id is not None:
        BillRun.objects.filter(pk=bill.run_id, status=BillRun.Status.REVIEWED).update(
            status=BillRun.Status.DRAFT
        )


@transaction.atomic
def bill_run_review(*, run: BillRun, actor: Any) -> BillRun:
    """Mark a calculated run reviewed; refused while any exception is open."""
    run = BillRun.objects.select_for_update().get(pk=run.pk)
    if run.status != BillRun.Status.DRAFT or run.calculated_at is None:
        needed = _("draft and calculated")
        raise ServiceError(
            _(RUN_WRONG_STATUS).format(status=run.get_status_display(), needed=needed)
        )
    open_count = run.exceptions.filter(resolution=BillException.Resolution.OPEN).count()
    if open_count:
        raise ServiceError(_(OPEN_EXCEPTIONS).format(count=open_count))
    run.status = BillRun.Status.REVIEWED
    run.save(update_fields=["status"])
    audit_record(actor=actor, action="billing.run.review", subject=run)
    return run


@transaction.atomic
def bill_run_issue(*, run: BillRun, actor: Any, documents: bool = True) -> BillRun:
    """Mark a posted run issued; once committed, render its bills, print file and e-mails.

    The documents are made after the commit (``billing.documents.dispatch``): queued for the
    billing workers when a broker is configured, else batch by batch in this process; if
    that stops part-way, "Build documents" on the run page resumes it.
    ``documents=False`` leaves them to the caller: ``cistern billrun issue`` spreads them
    over workers (``billing.documents.dispatch``).
    """
    run = BillRun.objects.select_for_update().get(pk=run.pk)
    if run.status != BillRun.Status.POSTED:
        raise ServiceError(
            _(RUN_WRONG_STATUS).format(status=run.get_status_display(), needed=_("posted"))
        )
    run.status = BillRun.Status.ISSUED
    run.save(update_fields=["status"])
    audit_record(actor=actor, action="billing.run.issue", subject=run)
    if documents:
        transaction.on_commit(lambda: bill_run_documents_start(run_id=run.pk), robust=True)
    return run
