"""E-mail delivery of bills to paperless customers, with the PDF attached.

Sent through Django's e-mail backend (tests use the locmem outbox). Each bill is sent once:
its `BillDocument` records when and to which address; sending again skips it.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import select_template
from django.utils import timezone, translation

from cistern.billing.documents.context import district_context
from cistern.billing.documents.render import bill_document_render
from cistern.billing.models import Bill, BillDocument
from cistern.customers.models import CustomerEmail

EMAIL_TEMPLATE = "billing/documents/email_{language}.txt"


def primary_email(bill: Bill) -> str:
    row = CustomerEmail.objects.filter(
        customer_id=bill.account.customer_id, is_primary=True
    ).first()
    return row.address if row else ""


def _message(bill: Bill, document: BillDocument, to: str) -> EmailMessage:
    language = document.language
    names = [EMAIL_TEMPLATE.format(language=language), EMAIL_TEMPLATE.format(language="en")]
    with translation.override(language):
        text = select_template(names).render({**district_context(), "bill": bill})
    subject, _, body = text.strip().partition("\n")
    message = EmailMessage(subject=subject.strip(), body=body.strip() + "\n", to=[to])
    with document.pdf.open("rb") as handle:
        message.attach(f"{bill.number}.pdf", handle.read(), "application/pdf")
    return message


def bill_email_send(*, bill_id: int) -> BillDocument | None:
    """E-mail one bill's PDF to the customer's primary address (once). None if no address."""
    bill = Bill.objects.select_related("account", "account__customer").get(pk=bill_id)
    to = primary_email(bill)
    if not to:
        return None
    document = bill_document_render(bill=bill)
    if document.emailed_at is not None:
        return document
    _message(bill, document, to).send()
    with transaction.atomic():
        BillDocument.objects.filter(pk=document.pk).update(emailed_at=timezone.now(), emailed_to=to)
    document.refresh_from_db()
    return document


def bill_emails_send(*, bill_ids: list[int]) -> int:
    """Send a chunk of bills (ids, so a worker can take it); returns how many were sent now."""
    sent = 0
    for bill_id in bill_ids:
        before = BillDocument.objects.filter(bill_id=bill_id, emailed_at__isnull=False).exists()
        if not before and bill_email_send(bill_id=bill_id) is not None:
            sent += 1
    return sent
