"""The day-close reports as PDF (WeasyPrint): the same tables as the screens and the CSV.

Each PDF is rendered from ``reports.REPORTS`` (the one source of the figures) with a
print stylesheet, landscape letter, a title, the business day, the district's name and
the page numbers; money columns (``*_cents``) are printed as dollars, and each one's total
is printed in the table's footer. Nothing is stored: a PDF is made on request.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from cistern.core.selectors import district_settings_get
from cistern.payments.reports import REPORTS, deposit_slip

MONEY_SUFFIX = "_cents"
# Columns whose sum means nothing (a float, a count, or a signed difference listed per row).
NOT_SUMMED = {"float_cents", "control_amount_cents"}


def _totals(header: list[str], rows: list[list[Any]], report: str) -> list[Any] | None:
    if report == "deposit-slip":  # its own last row is the total already
        return None
    totals: list[Any] = []
    for i, name in enumerate(header):
        if name.endswith(MONEY_SUFFIX) and name not in NOT_SUMMED:
            totals.append(sum(int(r[i]) for r in rows if isinstance(r[i], int)))
        else:
            totals.append("")
    return totals if rows else None


def report_pdf_context(*, report: str, day: date, title: str) -> dict[str, Any]:
    header, rows = REPORTS[report](day=day)
    money = [h.endswith(MONEY_SUFFIX) for h in header]
    totals = _totals(header, rows, report)
    return {
        "title": title,
        "day": day,
        "report": report,
        "header": header,
        "rows": [list(zip(row, money, strict=True)) for row in rows],
        "totals": list(zip(totals, money, strict=True)) if totals else None,
        "slip": deposit_slip(day=day) if report == "deposit-slip" else None,
        "district": district_settings_get(),
        "printed_at": timezone.localtime(),
    }


def report_pdf(*, report: str, day: date, title: str) -> bytes:
    """The report ``report`` (a key of ``reports.REPORTS``) for ``day`` as PDF bytes."""
    html = render_to_string(
        "payments/pdf/report.html", report_pdf_context(report=report, day=day, title=title)
    )
    return HTML(string=html).write_pdf()
