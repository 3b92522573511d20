"""Long bills flow onto more pages: the stub stays at the foot of page 1, once.

Given a bill with 40 lines (several services, a rate change inside the period doubling the
lines), when it is rendered to a real PDF, then it runs to two or more pages, every line
prints exactly once, the total is the sum of the lines, the scan line prints once (on page 1,
with the stub), and every page after the first carries the "continued" header with the
account number and "page x of y".
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest

from cistern.billing.documents.balances import account_summary
from cistern.billing.documents.render import bill_document_render
from cistern.billing.models import BillLine
from cistern.billing.services import (
    bill_run_calculate,
    bill_run_create,
    bill_run_post,
    bill_run_review,
    exception_release,
)
from tests.integration.billing import makers
from tests.integration.billing.test_documents_support import (
    DEC_1,
    DEC_31,
    JAN_1,
    JAN_31,
    pdf_pages,
    posted_run,
    scannable_account,
)

pytestmark = pytest.mark.django_db
LINES = 40


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _long_bill(clerk, lines: int):
    """January's bill for one account, topped up to ``lines`` lines (the rates give four).

    The lines are added to the draft bill before review and posting, as a calculation with
    many services and a rate change mid-period would make them, so the ledger, the account
    summary and the stub all agree with what the lines add up to.
    """
    cycle = makers.cycle()
    account = scannable_account(cycle)
    makers.read(account, DEC_31, 9, raw=100)
    makers.read(account, JAN_31, 14, raw=114)
    posted_run(clerk, DEC_1, DEC_31, date(2025, 1, 3), date(2025, 1, 24))
    run = bill_run_create(
        cycle=cycle, period_start=JAN_1, period_end=JAN_31,
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip
    run = bill_run_calculate(run=run, actor=clerk)
    bill = run.bills.get()
    seq = bill.lines.count()
    for n in range(1, max(lines - seq, 0) + 1):
        first = JAN_1 if n % 2 else date(2025, 1, 16)  # rate change on the 16th: two halves
        BillLine.objects.create(
            bill=bill, seq=seq + n, code=f"svc{n}", label=f"Private fire line {n:02d}",
            service_start=first, service_end=date(2025, 1, 16) if n % 2 else date(2025, 2, 1),
            days=15 if n % 2 else 16, proration=Decimal("0.5"), unit="month",
            quantity=Decimal(1), unit_price=Decimal("2.00") + n, amount_cents=100 * n + n,
            category="water",
        )  # fmt: skip
    bill.total_cents = sum(bill.lines.values_list("amount_cents", flat=True))
    bill.save(update_fields=["total_cents"])
    for exception in run.exceptions.filter(resolution="open"):
        exception_release(exception=exception, reason="checked", actor=clerk)
    bill_run_post(run=bill_run_review(run=run, actor=clerk), actor=clerk)
    bill.refresh_from_db()
    return account, bill


def _page_texts(data: bytes, tmp_path) -> list[str]:
    """Each page's text (``pdftotext -layout``), split on the form feed between pages."""
    path = tmp_path / "long.pdf"
    path.write_bytes(data)
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is needed: apt-get install -y poppler-utils"
    done = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True)
    return [page for page in done.stdout.decode().split("\f") if page.strip()]


def _cents(amount: int) -> str:
    return f"${amount / 100:,.2f}"


def test_a_forty_line_bill_flows_to_a_second_page_with_every_line_once(
    clerk, rates, tmp_path
) -> None:
    _account, bill = _long_bill(clerk, LINES)
    lines = list(bill.lines.order_by("seq"))
    assert len(lines) == LINES
    fire_lines = [line for line in lines if line.code.startswith("svc")]

    data = bill_document_render(bill=bill).pdf.open("rb").read()
    pages = _page_texts(data, tmp_path)
    text = "\n".join(pages)

    assert pdf_pages(data, tmp_path) == len(pages) >= 2
    amounts = [row.split()[-1] for row in text.splitlines() if row.strip()]
    for line in lines:
        assert line.label in text
    for line in fire_lines:
        assert text.count(line.label) == 1
        assert amounts.count(_cents(line.amount_cents)) == 1
    assert bill.total_cents == sum(line.amount_cents for line in lines)
    assert text.count("Total current charges") == 1
    total_row = next(row for row in text.splitlines() if "Total current charges" in row)
    assert total_row.split()[-1] == _cents(bill.total_cents)


def test_the_stub_and_its_scan_line_print_once_at_the_foot_of_page_one(
    clerk, rates, tmp_path
) -> None:
    account, bill = _long_bill(clerk, LINES)
    data = bill_document_render(bill=bill).pdf.open("rb").read()
    pages = _page_texts(data, tmp_path)
    summary = account_summary(bill)

    scan_rows = [
        row for page in pages for row in page.splitlines()
        if row.strip().startswith(account.number + " ")
    ]  # fmt: skip
    assert len(scan_rows) == 1
    assert int("".join(c for c in scan_rows[0] if c.isdigit())[8:17]) == summary.amount_due_cents
    first = pages[0].splitlines()
    assert any(row.strip().startswith(account.number + " ") for row in first[-6:])
    assert sum(page.count("Amount enclosed") for page in pages) == 1
    assert "Amount enclosed" in pages[0]


def test_every_page_after_the_first_says_continued_with_the_account_and_page_x_of_y(
    clerk, rates, tmp_path
) -> None:
    account, bill = _long_bill(clerk, LINES)
    data = bill_document_render(bill=bill).pdf.open("rb").read()
    pages = _page_texts(data, tmp_path)
    total = len(pages)

    assert f"Page 1 of {total}" in pages[0]
    assert "continued" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert "continued" in page and account.number in page
        assert f"Page {number} of {total}" in page
        assert "Charge" in page  # the table's column headings repeat


def test_a_short_bill_still_fits_on_one_page(clerk, rates, tmp_path) -> None:
    _account, bill = _long_bill(clerk, 0)
    data = bill_document_render(bill=bill).pdf.open("rb").read()
    assert pdf_pages(data, tmp_path) == 1
    assert "Page 1 of 1" in _page_texts(data, tmp_path)[0]
