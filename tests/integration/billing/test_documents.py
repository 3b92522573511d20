"""Bill PDFs: what a bill shows, its language, storing it once, print file and e-mail."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from cistern.billing.documents.balances import account_summary
from cistern.billing.documents.issue import bill_run_documents_issue
from cistern.billing.documents.render import bill_document_render
from cistern.billing.models import BillDocument, BillMessage, BillPrintBatch
from cistern.billing.services import bill_run_issue
from cistern.core.domain.check_digit import luhn_is_valid
from tests.integration.billing.test_documents_support import pdf_pages, pdf_text, two_months

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def test_a_bill_pdf_shows_the_account_amount_due_every_line_and_a_valid_scan_line(
    clerk, rates, tmp_path
) -> None:
    accounts, run = two_months(clerk, 1)
    bill = run.bills.get()
    document = bill_document_render(bill=bill)
    data = document.pdf.open("rb").read()
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    summary = account_summary(bill)
    amount = f"${summary.amount_due_cents / 100:,.2f}"
    assert accounts[0].number in text
    assert amount in text
    for line in bill.lines.all():
        assert line.label in text
    scan = next(
        row.strip() for row in text.splitlines() if row.strip().startswith(accounts[0].number + " ")
    )
    digits = _digits(scan)
    assert len(digits) == 18 and luhn_is_valid(digits)
    assert digits[:8] == accounts[0].number
    assert int(digits[8:17]) == summary.amount_due_cents


def test_the_account_summary_carries_the_payment_and_fee_since_the_last_bill(clerk, rates) -> None:
    accounts, run = two_months(clerk, 1)
    bill = run.bills.get()
    summary = account_summary(bill)
    december_total = accounts[0].bills.get(period_end=date(2024, 12, 31)).total_cents
    assert summary.previous_balance_cents == december_total
    assert summary.payments_cents == -3000
    assert summary.adjustments_cents == 500
    assert summary.amount_due_cents == december_total - 3000 + 500 + bill.total_cents


def test_a_spanish_speaking_customer_gets_spanish_labels(clerk, rates, tmp_path) -> None:
    _accounts, run = two_months(clerk, 2, spanish=2)
    document = bill_document_render(bill=run.bills.first())
    text = pdf_text(document.pdf.open("rb").read(), tmp_path)
    assert document.language == "es"
    assert "Monto a pagar" in text and "LECTURAS DEL MEDIDOR" in text.upper()
    assert "Amount due" not in text


def test_a_language_without_a_template_falls_back_to_english(clerk, rates) -> None:
    accounts, run = two_months(clerk, 1)
    accounts[0].customer.preferred_language = "vi"
    accounts[0].customer.save()
    document = bill_document_render(bill=run.bills.get())
    assert document.language == "en" and document.template.endswith("bill_en.html")


def test_rendering_twice_keeps_one_document(clerk, rates) -> None:
    _, run = two_months(clerk, 1)
    bill = run.bills.get()
    first = bill_document_render(bill=bill)
    second = bill_document_render(bill=bill)
    assert first.pk == second.pk
    assert BillDocument.objects.filter(bill=bill).count() == 1


def test_messages_print_for_their_target_in_the_customers_language(clerk, rates, tmp_path) -> None:
    accounts, run = two_months(clerk, 2, spanish=1)
    BillMessage.objects.create(
        title="leaks", target="all", effective_from=date(2025, 1, 1),
        texts={"en": "Check for leaks this winter.", "es": "Revise si hay fugas."},
    )  # fmt: skip
    BillMessage.objects.create(
        title="one", target="account", account=accounts[1], effective_from=date(2025, 1, 1),
        texts={"en": "Your meter will be replaced in March."},
    )  # fmt: skip
    spanish = bill_document_render(bill=run.bills.get(account=accounts[0]))
    english = bill_document_render(bill=run.bills.get(account=accounts[1]))
    spanish_text = pdf_text(spanish.pdf.open("rb").read(), tmp_path)
    english_text = pdf_text(english.pdf.open("rb").read(), tmp_path)
    assert "Revise si hay fugas." in spanish_text and "replaced in March" not in spanish_text
    assert "Check for leaks this winter." in english_text
    assert "replaced in March" in english_text


def test_issuing_builds_a_print_file_whose_index_matches_its_pages_and_emails_paperless(
    clerk, rates, tmp_path, django_capture_on_commit_callbacks
) -> None:
    accounts, run = two_months(clerk, 5, paperless=2)
    with django_capture_on_commit_callbacks(execute=True):
        bill_run_issue(run=run, actor=clerk)
    batches = list(BillPrintBatch.objects.filter(run=run))
    index = list(csv.DictReader(io.StringIO(run.print_index.csv.open("rb").read().decode())))
    paper = {a.number for a in accounts[2:]}
    assert {row["account_number"] for row in index} == paper
    assert len(index) == 3 and len(batches) == 1
    pages = pdf_pages(batches[0].pdf.open("rb").read(), tmp_path)
    assert pages == batches[0].page_count == sum(int(r["page_count"]) for r in index)
    offsets = [int(r["page_offset"]) for r in index]
    assert offsets[0] == 1 and offsets == sorted(offsets)
    assert all(r["file"] == batches[0].filename for r in index)
    assert sorted(m.to[0] for m in mail.outbox) == ["pat0@example.org", "pat1@example.org"]
    assert all(m.attachments[0][2] == "application/pdf" for m in mail.outbox)
    emailed = BillDocument.objects.filter(emailed_at__isnull=False)
    assert {d.bill.account.number for d in emailed} == {a.number for a in accounts[:2]}


def test_issuing_again_sends_no_second_email_and_keeps_the_batches(clerk, rates) -> None:
    _, run = two_months(clerk, 3, paperless=1)
    bill_run_documents_issue(run_id=run.pk, batch_size=2)
    result = bill_run_documents_issue(run_id=run.pk, batch_size=2)
    assert len(mail.outbox) == 1 and result.emailed == 0
    assert BillPrintBatch.objects.filter(run=run).count() == 1 == result.batches
    assert BillDocument.objects.count() == 3


def test_print_batches_split_by_size_and_the_index_points_into_each(clerk, rates) -> None:
    _, run = two_months(clerk, 5)
    bill_run_documents_issue(run_id=run.pk, batch_size=2)
    index = list(csv.DictReader(io.StringIO(run.print_index.csv.open("rb").read().decode())))
    batches = list(BillPrintBatch.objects.filter(run=run).order_by("seq"))
    assert [b.bill_count for b in batches] == [2, 2, 1]
    assert [r["file"] for r in index] == [batches[0].filename] * 2 + [batches[1].filename] * 2 + [
        batches[2].filename
    ]
    assert [r["sequence"] for r in index] == ["1", "2", "3", "4", "5"]


def test_staff_open_a_bills_pdf_from_the_bill_page(clerk, rates, client) -> None:
    _, run = two_months(clerk, 1)
    bill = run.bills.get()
    client.force_login(clerk)
    page = client.get(reverse("billing:bill", args=[bill.pk]))
    assert reverse("billing:bill_pdf", args=[bill.pk]) in page.content.decode()
    response = client.get(reverse("billing:bill_pdf", args=[bill.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_bill_message_is_added_on_the_messages_screen(clerk, client) -> None:
    client.force_login(clerk)
    response = client.post(
        reverse("billing:messages"),
        {"title": "Rates", "target": "premise_class", "premise_class": "commercial",
         "effective_from": "2025-01-01", "priority": 10, "text_en": "New rates in July.",
         "text_es": "Nuevas tarifas en julio."},
    )  # fmt: skip
    assert response.status_code == 302
    message = BillMessage.objects.get()
    assert message.texts == {"en": "New rates in July.", "es": "Nuevas tarifas en julio."}


def test_a_cycle_message_without_a_cycle_is_refused_beside_the_field(clerk, client) -> None:
    client.force_login(clerk)
    response = client.post(
        reverse("billing:messages"),
        {"title": "x", "target": "cycle", "effective_from": "2025-01-01", "priority": 1,
         "text_en": "Hi"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Choose the cycle this message is for." in response.content.decode()
    assert not BillMessage.objects.exists()


def test_the_accounts_bill_list_links_each_posted_bill_to_its_pdf(clerk, rates, client) -> None:
    accounts, _ = two_months(clerk, 1)
    client.force_login(clerk)
    page = client.get(reverse("billing:account_bills", args=[accounts[0].pk])).content.decode()
    for bill in accounts[0].bills.all():
        assert reverse("billing:bill_pdf", args=[bill.pk]) in page


def test_the_print_file_downloads_from_the_run_once_issued(clerk, rates, client) -> None:
    _, run = two_months(clerk, 2)
    client.force_login(clerk)
    before = client.get(reverse("billing:print_index", args=[run.pk]))
    assert before.status_code == 302
    bill_run_documents_issue(run_id=run.pk)
    index = client.get(reverse("billing:print_index", args=[run.pk]))
    batch = client.get(reverse("billing:print_batch", args=[run.pk]) + "?seq=1")
    assert b"".join(index.streaming_content).startswith(b"sequence,account_number")
    assert b"".join(batch.streaming_content).startswith(b"%PDF")


def test_the_account_page_shows_a_13_month_usage_chart_of_posted_bills(
    clerk, rates, client
) -> None:
    # Given an account with two months of posted bills
    accounts, _ = two_months(clerk, 1)
    client.force_login(clerk)
    # When the account page loads its bills partial
    page = client.get(reverse("billing:account_bills", args=[accounts[0].pk])).content.decode()
    # Then a usage chart is drawn with one bar per billed month
    assert "<svg" in page
    assert page.count("<rect ") == accounts[0].bills.filter(status="posted").count()
    assert "Usage, last 13 months" in page


def test_an_account_without_posted_bills_shows_no_chart(run_free_account, client, clerk) -> None:
    client.force_login(clerk)
    page = client.get(reverse("billing:account_bills", args=[run_free_account.pk])).content.decode()
    assert "<svg" not in page
    assert "No bills yet." in page


@pytest.fixture
def run_free_account(db):
    from tests.integration.billing import makers

    return makers.account(billing_cycle=makers.cycle("NB"))


def test_an_amount_too_large_for_the_scan_line_leaves_the_scan_line_off_rather_than_capping_it():
    from cistern.billing.documents.context import scan_line_for
    from cistern.core.domain.check_digit import with_check_digit

    account = with_check_digit("1000001")
    assert scan_line_for(account, 1_000_000_000) == {"digits": "", "display": ""}
    ok = scan_line_for(account, 999_999_999)
    assert ok["digits"][8:17] == "999999999"
