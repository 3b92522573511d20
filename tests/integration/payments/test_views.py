"""The cashiering screens, walked with the test client as the roles that use them."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cistern.payments.domain import lockbox_write, scan_line_build
from cistern.payments.models import DrawerSession, PaymentBatch, Receipt
from cistern.staff.roles import Role
from tests.integration.payments.conftest import balance
from tests.integration.payments.test_lockbox_import import item

pytestmark = pytest.mark.django_db
FLOAT_POST = {"bill_20": "5", "bill_10": "5", "bill_5": "4", "bill_1": "10", "coin_25": "20"}


def take_form(client, **fields) -> dict:
    page = client.get(reverse("payments:take"))
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page.content.decode()).group(1)
    return {"idempotency_key": key, "tender": "cash", **fields}


def test_a_day_at_the_counter_from_float_to_approved_close(
    client_for, maria, django_capture_on_commit_callbacks
) -> None:
    ana, dev = client_for(Role.CSR_I), client_for(Role.CSR_SENIOR)
    # given Ana opens her drawer with a $185 float
    response = ana.post(reverse("payments:drawer_open"), FLOAT_POST)
    assert response.status_code == 302
    # when she takes $50 cash for $60 tendered, finding Maria by her stub's scan line
    line = scan_line_build(maria.number, 12000)
    data = take_form(ana, account_0=line, amount_0="50.00", tendered="60")
    response = ana.post(reverse("payments:take"), data, follow=True)
    # then the receipt shows the change due, and a reprint is marked COPY
    page = response.content.decode()
    assert "Change due" in page and "$10.00" in page and 'class="copy-mark"' not in page
    receipt = Receipt.objects.get()
    reprint = ana.get(reverse("payments:receipt", args=[receipt.pk])).content.decode()
    assert 'class="copy-mark"' in reprint
    narrow = ana.get(reverse("payments:receipt", args=[receipt.pk]) + "?size=narrow")
    assert "receipt-narrow" in narrow.content.decode()
    # and the receipt can be e-mailed
    with django_capture_on_commit_callbacks(execute=True):
        ana.post(reverse("payments:receipt_email", args=[receipt.pk]), {"email": "m@example.com"})
    assert mail.outbox and receipt.display_number in mail.outbox[0].subject
    # when she counts blind: the count page shows no expected figure
    count_page = ana.get(reverse("payments:drawer_count")).content.decode()
    assert "235" not in count_page and "Expected" not in count_page
    counted = {**FLOAT_POST, "bill_50": "1", "checks": "", "money_orders": "", "card": ""}
    response = ana.post(reverse("payments:drawer_count"), counted, follow=True)
    assert "Expected" in response.content.decode()
    drawer = DrawerSession.objects.get()
    assert drawer.status == "counted" and drawer.over_short_cents == 0
    # then a Senior approves the close from the queue
    assert ana.get(reverse("payments:approvals")).status_code == 403
    assert f"D{drawer.pk}" in dev.get(reverse("payments:approvals")).content.decode()
    dev.post(reverse("payments:drawer_approve", args=[drawer.pk]))
    assert DrawerSession.objects.get().status == "closed"
    # and the day's deposit slip shows the $50 cash taken
    slip = client_for(Role.FINANCE).get(reverse("payments:report", args=["deposit-slip"]))
    assert "$50.00" in slip.content.decode()
    csv_text = client_for(Role.FINANCE).get(reverse("payments:report_csv", args=["deposit-slip"]))
    assert "total,,,5000" in csv_text.content.decode().replace("\r", "")


def test_a_wrong_scan_line_is_shown_beside_the_field(client_for, maria) -> None:
    ana = client_for(Role.CSR_I)
    ana.post(reverse("payments:drawer_open"), FLOAT_POST)
    line = scan_line_build(maria.number, 12000)
    bad = line[:-1] + str((int(line[-1]) + 1) % 10)
    response = ana.post(
        reverse("payments:take"), take_form(ana, account_0=bad, amount_0="5", tendered="5")
    )
    assert response.status_code == 200
    assert "check digit does not match" in response.content.decode()
    assert not Receipt.objects.exists()


def test_taking_a_payment_without_an_open_drawer_sends_the_cashier_to_open_one(client_for) -> None:
    response = client_for(Role.CSR_I).get(reverse("payments:take"))
    assert response.status_code == 302 and response["Location"] == reverse("payments:home")


def test_a_senior_voids_a_receipt_from_its_page(client_for, maria) -> None:
    ana, dev = client_for(Role.CSR_I), client_for(Role.CSR_SENIOR)
    ana.post(reverse("payments:drawer_open"), FLOAT_POST)
    ana.post(
        reverse("payments:take"),
        take_form(ana, account_0=maria.number, amount_0="20", tendered="20"),
    )
    receipt = Receipt.objects.get()
    dev.post(reverse("payments:receipt_void", args=[receipt.pk]), {"reason": "wrong account"})
    assert Receipt.objects.get().status == "void" and balance(maria) == 12000
    assert (
        ana.post(reverse("payments:receipt_void", args=[receipt.pk]), {"reason": "x"}).status_code
        == 403
    )


def test_a_batch_is_opened_filled_closed_and_posted_on_screen(client_for, maria) -> None:
    ben = client_for(Role.CSR_II)
    ben.post(
        reverse("payments:batches"),
        {"channel": "mail", "control_count": "1", "control_amount": "120.00"},
    )
    batch = PaymentBatch.objects.get()
    url = reverse("payments:batch", args=[batch.pk])
    ben.post(
        url, {"account": maria.number, "amount": "120.00", "tender": "check", "check_number": "9"}
    )
    ben.post(reverse("payments:batch_close", args=[batch.pk]))
    ben.post(reverse("payments:batch_post", args=[batch.pk]))
    assert PaymentBatch.objects.get().status == "posted" and balance(maria) == 0
    assert client_for(Role.CSR_I).get(url).status_code == 403


def test_a_refused_lockbox_file_lists_every_rejected_line(client_for, maria) -> None:
    good = lockbox_write([item(maria, 1, 5000), item(maria, 2, 100)]).decode()
    bad = good.replace("TRAILER,2,51.00", "TRAILER,3,51.00").encode()
    upload = SimpleUploadedFile("lb.csv", bad, content_type="text/csv")
    response = client_for(Role.CSR_II).post(reverse("payments:lockbox"), {"file": upload})
    assert response.status_code == 422
    assert "Rejected lines" in response.content.decode() and balance(maria) == 12000
    upload = SimpleUploadedFile("lb.csv", good.encode(), content_type="text/csv")
    response = client_for(Role.CSR_II).post(reverse("payments:lockbox"), {"file": upload})
    assert response.status_code == 200 and balance(maria) == 6900


def test_a_return_is_recorded_on_screen_and_shows_the_letter(client_for, maria) -> None:
    ana, ben = client_for(Role.CSR_I), client_for(Role.CSR_II)
    ana.post(reverse("payments:drawer_open"), FLOAT_POST)
    data = take_form(ana, account_0=maria.number, amount_0="20", tendered="20", tender="check",
                     check_number="12")  # fmt: skip
    ana.post(reverse("payments:take"), data)
    payment = Receipt.objects.get().payments.get()
    from django.utils import timezone

    response = ben.post(
        reverse("payments:returns"),
        {
            "payment_id": payment.pk,
            "reason_code": "nsf",
            "returned_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    assert "returned by your bank" in response.content.decode()


def test_every_report_renders_and_downloads(client_for) -> None:
    finance = client_for(Role.FINANCE)
    for slug in ("drawers", "batches", "deposit-slip", "cash-receipts-gl", "voids-over-short"):
        assert finance.get(reverse("payments:report", args=[slug])).status_code == 200
        csv_response = finance.get(reverse("payments:report_csv", args=[slug]) + "?day=2025-03-14")
        assert csv_response["Content-Type"].startswith("text/csv")
