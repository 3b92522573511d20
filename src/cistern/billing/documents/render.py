"""Bill HTML -> PDF with WeasyPrint, in the customer's language where a template exists.

Templates are ``billing/documents/bill_<language>.html`` (English and Spanish today); a
customer whose language has no template gets the English one. Every template extends
``bill_base.html`` and fills it with the shared section includes, passing its own labels.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import select_template
from django.utils import timezone, translation

from cistern.billing.documents.context import bill_document_context
from cistern.billing.models import Bill, BillDocument

DEFAULT_LANGUAGE = "en"
TEMPLATE = "billing/documents/bill_{language}.html"


@dataclass(frozen=True)
class RenderedBill:
    """One bill laid out: the WeasyPrint document (its pages), and which template was used."""

    bill: Bill
    document: Any  # weasyprint.Document
    language: str
    template: str

    @property
    def page_count(self) -> int:
        return len(self.document.pages)


def bill_template(language: str) -> tuple[str, str]:
    """(template name, language it is in): the customer's language, else English."""
    names = [TEMPLATE.format(language=language), TEMPLATE.format(language=DEFAULT_LANGUAGE)]
    template = select_template(list(dict.fromkeys(names)))
    name = template.template.name
    return name, language if name == names[0] else DEFAULT_LANGUAGE


def bill_html(*, bill: Bill) -> tuple[str, str, str]:
    """(html, language, template name) for a bill."""
    wanted = bill.account.customer.preferred_language or DEFAULT_LANGUAGE
    name, language = bill_template(wanted)
    with translation.override(language):
        context = bill_document_context(bill=bill, language=language)
        html = select_template([name]).render(context)
    return html, language, name


def bill_layout(*, bill: Bill) -> RenderedBill:
    """Lay a bill out (the slow part); ``.document.write_pdf()`` makes the bytes."""
    from weasyprint import HTML  # imported here: loading Pango is slow and only PDFs need it

    html, language, name = bill_html(bill=bill)
    document = HTML(string=html, base_url=str(settings.MEDIA_ROOT)).render()
    return RenderedBill(bill=bill, document=document, language=language, template=name)


def _bill_for_document(bill_id: int) -> Bill:
    return Bill.objects.select_related("account", "account__customer", "account__premise").get(
        pk=bill_id
    )


def bill_document_save(*, rendered: RenderedBill) -> BillDocument:
    """Store a laid-out bill's PDF once; a bill that already has one keeps it."""
    with transaction.atomic():
        Bill.objects.select_for_update().filter(pk=rendered.bill.pk).first()
        existing = BillDocument.objects.filter(bill_id=rendered.bill.pk).first()
        if existing is not None:
            return existing
        data = rendered.document.write_pdf()
        document = BillDocument(
            bill=rendered.bill,
            sha256=hashlib.sha256(data).hexdigest(),
            page_count=rendered.page_count,
            language=rendered.language,
            template=rendered.template,
            rendered_at=timezone.now(),
        )
        name = f"{rendered.bill.number}-{rendered.language}.pdf"
        document.pdf.save(name, ContentFile(data), save=False)
        document.save()
        return document


def bill_document_render(*, bill: Bill) -> BillDocument:
    """The bill's PDF document, rendering and storing it the first time (idempotent)."""
    existing = BillDocument.objects.filter(bill_id=bill.pk).first()
    if existing is not None:
        return existing
    return bill_document_save(rendered=bill_layout(bill=_bill_for_document(bill.pk)))
