"""Opening accounts and moving them between statuses.

An account joins one customer to one premise. Its number comes from the gapless account
sequence with a Luhn check digit (``core/numbering.py``). A premise has at most one open
account (pending, active, suspended or locked off) at a time. Status moves follow
``domain/account_status.py``; any other move is refused and nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.core.numbering import account_number_next
from cistern.customers.domain.account_status import ALLOWED_TRANSITIONS, AccountStatus
from cistern.customers.models import Account, AccountService, Customer, Premise, ServiceType
from cistern.customers.search_index import search_document_refresh
from cistern.customers.services.locks import account_lock

OPEN_STATUSES = (
    AccountStatus.PENDING,
    AccountStatus.ACTIVE,
    AccountStatus.SUSPENDED,
    AccountStatus.LOCKED_OFF,
)
ACCOUNT_CUSTOMER_MISSING = _("Choose the customer the account is for.")
ACCOUNT_PREMISE_MISSING = _("Choose the premise (service address) the account is for.")
ACCOUNT_OPEN_STATUS_INVALID = _("A new account starts as pending or active.")
ACCOUNT_SERVICES_MISSING = _("Choose at least one service (water, sewer, ...).")
ACCOUNT_SERVICE_INVALID = _("Choose services from the list (water, sewer, irrigation, ...).")
ACCOUNT_PREMISE_OCCUPIED = _(
    "This premise already has an open account ({number}). Final or close it before opening another."
)
ACCOUNT_STATUS_UNKNOWN = _("Choose a status from the list.")
ACCOUNT_STATUS_REASON_MISSING = _("Say why the status is changing.")
ACCOUNT_STATUS_MOVE_REFUSED = _(
    "An account that is {current} cannot become {target}. From {current} it can become: {allowed}."
)


def _services_checked(services: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(services))
    if not chosen:
        raise ServiceError(str(ACCOUNT_SERVICES_MISSING), field="services")
    if any(s not in ServiceType.values for s in chosen):
        raise ServiceError(str(ACCOUNT_SERVICE_INVALID), field="services")
    return chosen


def account_open(
    *,
    customer_id: int,
    premise_id: int,
    start_date: date | None = None,
    services: Sequence[str] = (ServiceType.WATER,),
    status: str = AccountStatus.PENDING,
    actor: Any,
) -> Account:
    """Open an account for a customer at a premise, with its services and a new number."""
    if status not in (AccountStatus.PENDING, AccountStatus.ACTIVE):
        raise ServiceError(str(ACCOUNT_OPEN_STATUS_INVALID), field="status")
    chosen = _services_checked(services)
    start = start_date or timezone.localdate()
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
        if customer is None:
            raise ServiceError(str(ACCOUNT_CUSTOMER_MISSING), field="customer")
        premise = Premise.objects.select_for_update().filter(pk=premise_id).first()
        if premise is None:
            raise ServiceError(str(ACCOUNT_PREMISE_MISSING), field="premise")
        occupied = premise.accounts.filter(status__in=OPEN_STATUSES).first()
        if occupied is not None:
            message = str(ACCOUNT_PREMISE_OCCUPIED).format(number=occupied.number)
            raise ServiceError(message, field="premise")
        account = Account.objects.create(
            number=account_number_next(),
            customer=customer,
            premise=premise,
            status=status,
            start_date=start,
        )
        AccountService.objects.bulk_create(
            AccountService(account=account, service=s, started_on=start) for s in chosen
        )
        audit_record(
            actor=actor,
            action="account.open",
            subject=account,
            after={
                "number": account.number,
                "customer_id": customer.pk,
                "premise_id": premise.pk,
                "status": status,
                "start_date": start,
                "services": chosen,
            },
            account_id=account.pk,
        )
        search_document_refresh(account_id=account.pk)
    return account


def _label(status: str) -> str:
    return status.replace("_", " ")


def account_status_change(
    *,
    account_id: int,
    status: str,
    reason: str,
    actor: Any,
    on_date: date | None = None,
) -> Account:
    """Move an account to ``status`` if the move is allowed. Final sets the service end date."""
    if status not in {s.value for s in AccountStatus}:
        raise ServiceError(str(ACCOUNT_STATUS_UNKNOWN), field="status")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ServiceError(str(ACCOUNT_STATUS_REASON_MISSING), field="reason")
    with transaction.atomic():
        account = account_lock(account_id)
        current, target = AccountStatus(account.status), AccountStatus(status)
        if target not in ALLOWED_TRANSITIONS[current]:
            allowed = ", ".join(sorted(_label(s) for s in ALLOWED_TRANSITIONS[current]))
            message = str(ACCOUNT_STATUS_MOVE_REFUSED).format(
                current=_label(current), target=_label(target), allowed=allowed or "—"
            )
            raise ServiceError(message, field="status")
        before = {"status": current.value, "end_date": account.end_date}
        account.status = target.value
        if target is AccountStatus.FINAL and account.end_date is None:
            account.end_date = max(on_date or timezone.localdate(), account.start_date)
        account.save(update_fields=["status", "end_date"])
        audit_record(
            actor=actor,
            action="account.status.change",
            subject=account,
            before=before,
            after={"status": target.value, "end_date": account.end_date},
            reason=reason,
            account_id=account.pk,
        )
        search_document_refresh(account_id=account.pk)
    return account
