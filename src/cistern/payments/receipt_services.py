"""Receipt printing and e-mailing: a print log (every print after the first is a COPY) and
an e-mailed receipt through Django's e-mail backend, sent after the transaction commits."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.core.selectors import district_settings_get
from cistern.payments.models import Receipt

EMAIL_MISSING = "Enter the e-mail address to send the receipt to."


def receipt_print_record(*, receipt_id: int) -> bool:
    """Count one print of the receipt; True when this is a copy (not the first print)."""
    with transaction.atomic():
        receipt = Receipt.objects.select_for_update().get(pk=receipt_id)
        is_copy = receipt.print_count > 0
        Receipt.objects.filter(pk=receipt_id).update(print_count=F("print_count") + 1)
    return is_copy


def receipt_email(*, receipt_id: int, email: str, actor: Any) -> None:
    """E-mail the receipt (marked COPY when it was already printed)."""
    email = (email or "").strip()
    if not email:
        raise ServiceError(_(EMAIL_MISSING), field="email")
    with transaction.atomic():
        receipt = Receipt.objects.get(pk=receipt_id)
        context = {
            "receipt": receipt,
            "payments": list(receipt.payments.select_related("account")),
            "district": district_settings_get(),
            "is_copy": receipt.print_count > 0,
        }
        body = render_to_string("payments/receipt_email.txt", context)
        subject = _("Your payment receipt %(number)s") % {"number": receipt.display_number}
        audit_record(
            actor=actor, action="payments.receipt.email", subject=receipt, after={"email": email}
        )
        transaction.on_commit(lambda: send_mail(subject, body, None, [email], fail_silently=False))
