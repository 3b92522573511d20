"""The day-close reports as PDF: real PDFs carrying the same figures as the CSV."""

from __future__ import annotations

import re
import zlib

import pytest
from django.urls import reverse
from django.utils import timezone

from cistern.payments.services import (
    CounterShare,
    CounterTender,
    drawer_close_approve,
    drawer_count_blind,
    payment_take_at_counter,
)
from cistern.staff.roles import Role
from tests.integration.payments.conftest import FLOAT

pytestmark = pytest.mark.django_db
REPORTS = ("drawers", "batches", "deposit-slip", "cash-receipts-gl", "voids-over-short")


def _raw_streams(pdf: bytes) -> list[bytes]:
    """Each stream's bytes, cut by the /Length of its dictionary.

    Searching for the next ``endstream`` instead is wrong now and then: compressed bytes may
    end in a carriage return (eaten by ``\r?``) or contain the word itself.
    """
    found = []
    for match in re.finditer(rb">>\s*stream\r?\n", pdf):
        length = re.findall(rb"/Length (\d+)", pdf[max(0, match.start() - 400) : match.start()])
        if length:
            found.append(pdf[match.end() : match.end() + int(length[-1])])
    return found


def pdf_text_runs(pdf: bytes) -> list[str]:
    """The text of each TJ run of a WeasyPrint PDF, decoded through the fonts' ToUnicode maps.

    A run is decoded with every map that knows all its glyphs, so the true text is among
    the runs returned; tests look for whole amounts, which never straddle runs.
    """
    streams = []
    for raw in _raw_streams(pdf):
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            continue
    cmaps = []
    for s in (s for s in streams if b"begincmap" in s):
        pairs = re.findall(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>", s)
        cmaps.append({g.lower(): bytes.fromhex(u.decode()).decode("utf-16-be") for g, u in pairs})
    runs = []
    for s in streams:
        for run in re.findall(rb"\[(.*?)\]\s*TJ", s, re.S):
            hexes = b"".join(re.findall(rb"<([0-9a-fA-F]+)>", run)).lower()
            glyphs = [hexes[i : i + 4] for i in range(0, len(hexes), 4)]
            runs += ["".join(m[g] for g in glyphs) for m in cmaps if all(g in m for g in glyphs)]
    return runs


@pytest.fixture
def closed_day(drawer, maria, james, senior):
    """$50.00 cash (for $60.00 tendered) and a $30.00 check; counted $1.00 short; approved."""
    payment_take_at_counter(
        drawer_id=drawer.pk, shares=[CounterShare(maria.number, 5000)],
        tender=CounterTender("cash", 6000), idempotency_key="pdf-1", actor=drawer.cashier,
    )  # fmt: skip
    payment_take_at_counter(
        drawer_id=drawer.pk, shares=[CounterShare(james.number, 3000)],
        tender=CounterTender("check", 3000, "5150", "Wells"), idempotency_key="pdf-2",
        actor=drawer.cashier,
    )  # fmt: skip
    counts = {**FLOAT, "bill_20": FLOAT["bill_20"] + 2, "bill_5": FLOAT["bill_5"] + 1,
              "bill_1": FLOAT["bill_1"] + 4}  # $49.00 of the $50.00  # fmt: skip
    drawer_count_blind(drawer_id=drawer.pk, cash_counts=counts, checks_cents=3000,
                       money_orders_cents=0, card_cents=0, actor=drawer.cashier)  # fmt: skip
    drawer_close_approve(drawer_id=drawer.pk, actor=senior)
    return timezone.localdate()


def get_pdf(client, report: str, day) -> bytes:
    response = client.get(reverse("payments:report_pdf", args=[report]) + f"?day={day}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="{report}-{day}.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    return response.content


def test_the_deposit_slip_pdf_carries_the_same_totals_as_the_csv(client_for, closed_day) -> None:
    finance = client_for(Role.FINANCE)
    csv_rows = finance.get(reverse("payments:report_csv", args=["deposit-slip"])
                           + f"?day={closed_day}").content.decode().splitlines()  # fmt: skip
    assert csv_rows[-1] == "total,,,7900"  # $49.00 cash deposited + the $30.00 check
    runs = pdf_text_runs(get_pdf(finance, "deposit-slip", closed_day))
    assert "$79.00" in runs and "$30.00" in runs and "5150" in runs
    assert any("Deposit slip" in run for run in runs)


def test_the_drawer_report_pdf_shows_each_tender_and_the_over_short(client_for, closed_day) -> None:
    runs = pdf_text_runs(get_pdf(client_for(Role.CSR_SENIOR), "drawers", closed_day))
    assert {"$50.00", "$30.00", "-$1.00", "$185.00"} <= set(runs)


def test_the_voids_and_over_short_pdf_lists_the_short_drawer(client_for, closed_day) -> None:
    runs = pdf_text_runs(get_pdf(client_for(Role.FINANCE), "voids-over-short", closed_day))
    assert "short" in runs and "-$1.00" in runs


def test_the_cash_receipts_by_gl_pdf_totals_the_days_receipts(client_for, closed_day) -> None:
    runs = pdf_text_runs(get_pdf(client_for(Role.AUDITOR), "cash-receipts-gl", closed_day))
    assert "1010-CASH-CLEARING" in runs and "$80.00" in runs and "-$80.00" in runs


def test_every_report_has_a_pdf_even_on_an_empty_day(client_for) -> None:
    finance = client_for(Role.FINANCE)
    for report in REPORTS:
        runs = pdf_text_runs(get_pdf(finance, report, "2024-07-04"))
        if report == "deposit-slip":  # currency, coin and total lines, all zero
            assert "Deposit total" in runs and "$0.00" in runs
        else:
            assert "Nothing on this day." in runs


def test_the_report_screens_link_to_their_pdf(client_for) -> None:
    page = client_for(Role.FINANCE).get(reverse("payments:report", args=["batches"]))
    assert reverse("payments:report_pdf", args=["batches"]) in page.content.decode()


def test_a_cashier_cannot_download_report_pdfs(client_for) -> None:
    response = client_for(Role.CSR_I).get(reverse("payments:report_pdf", args=["drawers"]))
    assert response.status_code == 403
