"""A day at the counter in a real browser (issue 4, section 8).

A CSR I opens her drawer with a counted float, finds Maria's bill by typing its stub's scan
line, takes cash with change due, opens the printable receipt, and closes with a blind count.
A CSR Senior approves the close, and the day's deposit slip shows the cash taken.
"""

import re
from collections.abc import Callable
from datetime import date

from playwright.sync_api import Page, expect

from cistern.ledger import codes
from cistern.ledger.chart_services import ledger_chart_seed
from cistern.ledger.services import Leg, journal_entry_post
from cistern.payments.domain.scan_line import scan_line_build
from cistern.payments.models import DrawerSession, Receipt
from cistern.staff.roles import Role
from tests.factories.customers import account_for_maria
from tests.factories.staff import staff_user

# The float: 5 x $20, 5 x $10, 4 x $5, 10 x $1 = $180.00
FLOAT = {"$20 bills": "5", "$10 bills": "5", "$5 bills": "4", "$1 bills": "10"}
OWED_CENTS = 8_425  # Maria's bill: $84.25


def maria_with_a_bill():
    ledger_chart_seed()
    maria = account_for_maria()
    journal_entry_post(
        idempotency_key="e2e-bill", effective_date=date(2025, 1, 15), source="bill",
        legs=[Leg(codes.AR_WATER, OWED_CENTS, maria.pk, codes.CATEGORY_WATER),
              Leg(codes.REV_WATER, -OWED_CENTS)],
        actor=staff_user(Role.FINANCE),
    )  # fmt: skip
    return maria


def fill_counts(page: Page, counts: dict[str, str]) -> None:
    for label, pieces in counts.items():
        # Django's forms end a label with a colon ("$20 bills:"); "$1 bills" is not "$1 coins".
        page.get_by_label(re.compile(rf"^{re.escape(label)}:?$")).fill(pieces)


def test_a_cashier_takes_cash_by_scan_line_closes_blind_and_a_senior_approves(
    signed_in_page: Callable[[Role], Page],
):
    # Given Maria owes $84.25 and her bill stub's scan line
    maria = maria_with_a_bill()
    scan_line = scan_line_build(maria.number, OWED_CENTS)
    ana = signed_in_page(Role.CSR_I)

    # When Ana opens her drawer with a counted $180.00 float
    ana.goto("/cashiering/")
    fill_counts(ana, FLOAT)
    ana.get_by_role("button", name="Open drawer").click()
    expect(ana.get_by_role("heading", name="Take a payment")).to_be_visible()

    # And takes $100.00 cash for Maria's bill, found by typing the scan line
    ana.get_by_label("Account number or scan line 1").fill(scan_line)
    ana.get_by_label("Amount 1", exact=True).fill("84.25")
    ana.get_by_label("Tender", exact=True).select_option(label="Cash")
    ana.get_by_label("Amount tendered").fill("100.00")
    expect(ana.locator("#change-due")).to_have_text("Change due: $15.75")
    ana.get_by_role("button", name="Take payment and print receipt").click()

    # Then the printable receipt shows its number and the change due
    receipt = Receipt.objects.get()
    slip = ana.get_by_role("article", name="Receipt")
    expect(slip).to_contain_text(receipt.display_number)
    expect(slip.get_by_role("row", name=re.compile("Change due"))).to_contain_text("$15.75")
    expect(slip).to_contain_text(maria.number)
    ana.get_by_role("link", name="Receipt printer (80 mm)").click()
    expect(ana.locator("article.receipt-narrow")).to_contain_text(receipt.display_number)

    # When she counts the drawer blind: nothing expected is shown before she submits
    ana.goto("/cashiering/")
    ana.get_by_role("link", name="Count and close the drawer").click()
    expect(ana.get_by_role("heading", name="Count the drawer")).to_be_visible()
    expect(ana.locator("main")).not_to_contain_text("Expected")
    fill_counts(ana, {"$20 bills": "9", "$10 bills": "5", "$5 bills": "4", "$1 bills": "14",
                      "25¢ coins": "1"})  # fmt: skip
    ana.get_by_role("button", name="Submit the count").click()
    drawer = DrawerSession.objects.get()
    # Then the count balances: $264.25 in the drawer = the float + $84.25
    expect(ana.get_by_role("row", name="Total over / short")).to_contain_text("$0.00")
    expect(ana.locator("main")).to_contain_text("approves the close")

    # When a CSR Senior approves the close from the queue
    dev = signed_in_page(Role.CSR_SENIOR)
    dev.goto("/cashiering/approvals/")
    row = dev.get_by_role("row", name=re.compile(f"D{drawer.pk}"))
    row.get_by_role("button", name="Approve").click()
    expect(dev.get_by_role("status")).to_contain_text(f"Drawer D{drawer.pk} is closed.")

    # Then the day's deposit slip shows the $84.25 cash taken as the deposit
    dev.get_by_role("link", name="Daily reports").first.click()
    dev.get_by_role("link", name="Deposit slip").click()
    expect(dev.locator("main")).to_contain_text("Deposit total $84.25")
    currency = dev.get_by_role("row", name=re.compile(r"^currency"))
    coin = dev.get_by_role("row", name=re.compile(r"^coin"))
    expect(currency).to_contain_text("$84.00")
    expect(coin).to_contain_text("$0.25")
    DrawerSession.objects.get(pk=drawer.pk, status="closed")
