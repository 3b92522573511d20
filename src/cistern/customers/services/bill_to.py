"""Secondary bill-to contacts: people who get copies of an account's bills and notices.

Removal stamps ``removed_on``; the row stays, so who received copies when is never lost.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.customers.domain.contact_details import Address
from cistern.customers.models import SecondaryBillTo
from cistern.customers.search_index import search_document_refresh
from cistern.customers.services.addresses import address_checked
from cistern.customers.services.locks import account_lock

BILL_TO_NAME_MISSING = _("Enter the name of the person or business who gets the copies.")
BILL_TO_EMAIL_INVALID = _("Enter an e-mail address like name@example.com, or leave it empty.")
BILL_TO_NOTHING_TO_SEND = _("Choose bills, notices or both: otherwise they would receive nothing.")
BILL_TO_NOT_FOUND = _("That bill-to contact is not on this account. Reload the page.")
BILL_TO_ALREADY_REMOVED = _("That bill-to contact was already removed.")


def _email_checked(email: str) -> str:
    cleaned = (email or "").strip().lower()
    if cleaned:
        try:
            validate_email(cleaned)
        except ValidationError as exc:
            raise ServiceError(str(BILL_TO_EMAIL_INVALID), field="email") from exc
    return cleaned


def account_secondary_bill_to_add(
    *,
    account_id: int,
    name: str,
    address: Address,
    actor: Any,
    email: str = "",
    receives_bills: bool = True,
    receives_notices: bool = True,
    reason: str = "",
) -> SecondaryBillTo:
    """Add someone who receives copies of the account's bills and/or notices."""
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(str(BILL_TO_NAME_MISSING), field="name")
    normal = address_checked(address)
    cleaned_email = _email_checked(email)
    if not receives_bills and not receives_notices:
        raise ServiceError(str(BILL_TO_NOTHING_TO_SEND), field="receives_bills")
    with transaction.atomic():
        account = account_lock(account_id)
        fields = {
            "name": name,
            **{k: v for k, v in normal.as_dict().items() if k != "country"},
            "email": cleaned_email,
            "receives_bills": receives_bills,
            "receives_notices": receives_notices,
        }
        bill_to = SecondaryBillTo.objects.create(
            account=account, added_on=timezone.localdate(), **fields
        )
        audit_record(
            actor=actor,
            action="account.bill_to.add",
            subject=account,
            after={"bill_to_id": bill_to.pk, **fields},
            reason=reason,
            account_id=account.pk,
        )
        search_document_refresh(account_id=account.pk)
    return bill_to


def account_secondary_bill_to_remove(
    *, account_id: int, bill_to_id: int, actor: Any, reason: str = ""
) -> SecondaryBillTo:
    """Stop sending copies to a bill-to contact. The row is kept with its removal date."""
    with transaction.atomic():
        account = account_lock(account_id)
        bill_to = account.secondary_bill_tos.select_for_update().filter(pk=bill_to_id).first()
        if bill_to is None:
            raise ServiceError(str(BILL_TO_NOT_FOUND))
        if bill_to.removed_on is not None:
            raise ServiceError(str(BILL_TO_ALREADY_REMOVED))
        bill_to.removed_on = timezone.localdate()
        bill_to.save(update_fields=["removed_on"])
        audit_record(
            actor=actor,
            action="account.bill_to.remove",
            subject=account,
            before={"bill_to_id": bill_to.pk, "name": bill_to.name, "removed_on": None},
            after={
                "bill_to_id": bill_to.pk,
                "name": bill_to.name,
                "removed_on": bill_to.removed_on,
            },
            reason=reason,
            account_id=account.pk,
        )
        search_document_refresh(account_id=account.pk)
    return bill_to
