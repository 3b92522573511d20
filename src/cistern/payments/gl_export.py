"""The daily journal export to the district's general ledger (Finance).

The pure rules live in ``domain.gl_journal`` (summary per GL fund / department / account,
balanced or refused, identical bytes for an unchanged day). Here: read the day's postings,
and record every export — who, when, the file's sha256 and its control totals — with an
audit event, in one transaction. Exporting never changes the ledger.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.ledger.models import Posting
from cistern.payments.domain.gl_journal import (
    GLJournal,
    GLJournalRefused,
    GLPosting,
    gl_journal_csv,
    gl_journal_summarize,
)
from cistern.payments.models import GLExport


@dataclass(frozen=True)
class GLExportOutcome:
    export: GLExport
    content: str
    same_as_previous: bool | None  # None: the first export of this day

    @property
    def filename(self) -> str:
        return f"gl-journal-{self.export.business_date.isoformat()}.csv"


def gl_postings_for_day(*, day: date) -> list[GLPosting]:
    """Every posting whose effective date is ``day``, with its ledger account's GL codes."""
    rows = (
        Posting.objects.filter(effective_date=day)
        .order_by("pk")
        .values_list(
            "ledger_account__code",
            "ledger_account__gl_fund",
            "ledger_account__gl_department",
            "ledger_account__gl_account",
            "amount_cents",
        )
    )
    return [
        GLPosting(code, fund.strip(), dept.strip(), acct.strip(), cents)
        for code, fund, dept, acct, cents in rows
    ]


def gl_journal_preview(*, day: date) -> GLJournal:
    """The journal as it would export now; raises ``ServiceError`` if the day is refused."""
    try:
        return gl_journal_summarize(day=day, postings=gl_postings_for_day(day=day))
    except GLJournalRefused as refused:
        raise ServiceError(refused.message, field="day") from refused


def gl_export_create(*, day: date, actor: Any) -> GLExportOutcome:
    """Build the day's journal file and record the export; refuse an unmapped/unbalanced day."""
    with transaction.atomic():
        journal = gl_journal_preview(day=day)
        content = gl_journal_csv(journal)
        sha = hashlib.sha256(content.encode("utf-8")).hexdigest()
        previous = GLExport.objects.filter(business_date=day).order_by("-exported_at").first()
        export = GLExport.objects.create(
            business_date=day,
            file_sha256=sha,
            content=content,
            line_count=len(journal.lines),
            debit_total_cents=journal.debit_total_cents,
            credit_total_cents=journal.credit_total_cents,
            exported_by=actor,
            exported_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="ledger.gl_export",
            subject=export,
            after={
                "business_date": day.isoformat(),
                "file_sha256": sha,
                "debit_total_cents": journal.debit_total_cents,
            },
        )
    same = None if previous is None else previous.file_sha256 == sha
    return GLExportOutcome(export, content, same)


def gl_exports_recent(*, limit: int = 20) -> list[GLExport]:
    return list(GLExport.objects.select_related("exported_by").defer("content")[:limit])
