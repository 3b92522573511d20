"""Front-desk journeys in a real browser (issue 2, section 9).

A CSR I finds an account by part of its address, opens it, logs a phone call and updates the
mailing address, and sees both on the account page. An Auditor sees the same account and finds
nothing on it that changes anything. The keyboard alone is enough for the CSR's flow.
"""

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from cistern.customers.models import ContactLogEntry, MailingAddress
from cistern.staff.roles import Role
from tests.factories.customers import account_for_maria, cast_account

RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
CALL_NOTE = "Asked why the bill went up; explained the summer tier."
MARIA = re.compile(r"Garcia, Maria")


def search_top_bar(page: Page, words: str) -> None:
    """Type into the top-bar search as a person would; htmx fills the typeahead."""
    page.locator("#global-search").press_sequentially(words, delay=30)


def test_a_csr_finds_an_account_by_part_of_its_address_logs_a_call_and_updates_the_address(
    signed_in_page: Callable[[Role], Page],
):
    # Given Maria Garcia at 123 Oak Ave, and Linh Tran a few streets away on Oakwood Dr
    maria = account_for_maria()
    cast_account("linh")
    page = signed_in_page(Role.CSR_I)

    # When the CSR types part of the service address into the top-bar search
    search_top_bar(page, "123 oak")

    # Then the typeahead offers Maria's account first, and it opens
    first_hit = page.locator("#typeahead").get_by_role("option").first
    expect(first_hit).to_contain_text("Garcia, Maria")
    expect(first_hit).to_contain_text(maria.number)
    first_hit.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MARIA)
    expect(page.locator(".account-header")).to_contain_text(maria.number)

    # When she logs an inbound phone call
    contact_form = page.get_by_role("form", name="Log a contact")
    contact_form.get_by_label("Channel").select_option(label="Phone")
    contact_form.get_by_label("Direction").select_option(label="Inbound")
    contact_form.get_by_label("Summary").fill(CALL_NOTE)
    contact_form.get_by_role("button", name="Log contact").click()

    # Then the contact log shows the call at once (htmx, no page reload)
    contacts = page.get_by_role("list", name="Recent contacts")
    expect(page.locator("#contact-log").get_by_role("status")).to_contain_text("Contact logged")
    expect(contacts).to_contain_text(CALL_NOTE)
    expect(contacts).to_contain_text("Phone")

    # When she updates the mailing address
    page.get_by_role("link", name=re.compile("Update mailing address")).click()
    page.get_by_label(re.compile(r"^Address(?! line)")).fill("PO Box 2231")
    page.get_by_label(re.compile(r"^City")).fill("Davis")
    page.get_by_label(re.compile(r"^State")).fill("CA")
    page.get_by_label(re.compile(r"^ZIP code")).fill("95617")
    page.get_by_label(re.compile(r"^Reason")).fill(
        "Customer called: mail to the PO box from now on"
    )
    page.get_by_role("button", name="Save new address").click()

    # Then she is back on the account, which shows the new address and the call
    expect(page.get_by_role("heading", level=1)).to_have_text(MARIA)
    customer = page.get_by_role("region", name="Customer")
    expect(customer).to_contain_text("PO Box 2231")
    expect(customer).to_contain_text("1 earlier mailing address")
    expect(page.get_by_role("list", name="Recent contacts")).to_contain_text(CALL_NOTE)

    # And both were saved, by her
    entry = ContactLogEntry.objects.get(account=maria)
    assert (entry.channel, entry.direction, entry.staff.username) == ("phone", "in", "ana")
    current = MailingAddress.objects.get(customer=maria.customer, valid_to__isnull=True)
    assert (current.line1, current.postal_code) == ("PO Box 2231", "95617")
    assert MailingAddress.objects.filter(customer=maria.customer).count() == 2


def assert_read_only(page: Page) -> None:
    """No form but the search and sign-out; no button but Sign out; no field but the search."""
    for form in page.locator("form").all():
        is_search = form.get_attribute("role") == "search"
        is_sign_out = (form.get_attribute("action") or "").endswith("/staff/logout/")
        assert is_search or is_sign_out, f"{page.url} has a form that changes something: " + (
            form.evaluate("f => f.outerHTML.slice(0, 300)")
        )
    buttons = page.get_by_role("button").all_inner_texts()
    assert [b.strip() for b in buttons] == ["Sign out"], f"{page.url} has buttons {buttons}"
    fields = page.locator("input:not([type=hidden]), select, textarea")
    ids = [field.get_attribute("id") for field in fields.all()]
    assert ids == ["global-search"], f"{page.url} has fields {ids}"


def test_an_auditor_sees_the_account_and_finds_nothing_that_changes_it(
    signed_in_page: Callable[[Role], Page],
):
    # Given Maria's account, with one call already logged by a CSR
    maria = account_for_maria()
    page = signed_in_page(Role.AUDITOR)

    # When the Auditor finds it by part of its address and opens it
    search_top_bar(page, "123 oak")
    page.locator("#typeahead").get_by_role("option", name=MARIA).first.click()

    # Then she sees the same account
    expect(page.get_by_role("heading", level=1)).to_have_text(MARIA)
    expect(page.locator(".account-header")).to_contain_text(maria.number)
    expect(page.get_by_role("region", name="Customer")).to_contain_text("123 Oak Ave")

    # And on every tab of it there is nothing that changes anything
    expect(page.get_by_role("link", name=re.compile("Update mailing address"))).to_have_count(0)
    expect(page.get_by_role("form", name="Log a contact")).to_have_count(0)
    tabs = page.get_by_role("navigation", name="Account sections").get_by_role("link")
    tab_urls = [tab.get_attribute("href") for tab in tabs.all()]
    assert len(tab_urls) >= 3, tab_urls
    for url in tab_urls:
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(MARIA)
        assert_read_only(page)

    # And going straight to a change form's address is refused
    response = page.goto(f"/accounts/{maria.number}/mailing-address/")
    assert response is not None and response.status == 403


def test_slash_focuses_the_search_and_the_keyboard_alone_finds_an_account_and_logs_a_call(
    signed_in_page: Callable[[Role], Page],
):
    # Given Maria's account, and a CSR reading another customer's account
    maria = account_for_maria()
    james = cast_account("james")
    page = signed_in_page(Role.CSR_I)
    page.goto(f"/accounts/{james.number}/")
    search = page.locator("#global-search")

    # When she presses "/" then types a name
    page.keyboard.press("/")
    expect(search).to_be_focused()
    page.keyboard.type("garcia", delay=30)

    # Then the arrow key moves into the results and Enter opens the account
    expect(page.locator("#typeahead").get_by_role("option", name=MARIA)).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#typeahead").get_by_role("option").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(MARIA)
    assert maria.number in page.url

    # When she presses "c", types the note, tabs to the button and presses Enter
    page.keyboard.press("c")
    summary = page.get_by_role("form", name="Log a contact").get_by_label("Summary")
    expect(summary).to_be_focused()
    page.keyboard.type(CALL_NOTE)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Log contact")).to_be_focused()
    page.keyboard.press("Enter")

    # Then the call is in the contact log (phone, inbound: the form's defaults)
    expect(page.get_by_role("list", name="Recent contacts")).to_contain_text(CALL_NOTE)
    entry = ContactLogEntry.objects.get(account=maria)
    assert (entry.channel, entry.direction) == ("phone", "in")


def test_the_account_page_fits_a_1280x720_screen(signed_in_page: Callable[[Role], Page]):
    # Given Maria's account with a call logged, opened by a CSR on a 1280x720 screen
    maria = account_for_maria()
    page = signed_in_page(Role.CSR_I)
    page.goto(f"/accounts/{maria.number}/")
    form = page.get_by_role("form", name="Log a contact")
    form.get_by_label("Summary").fill(CALL_NOTE)
    form.get_by_role("button", name="Log contact").click()
    expect(page.get_by_role("list", name="Recent contacts")).to_contain_text(CALL_NOTE)

    # When the page is photographed as it first appears
    RESULTS_DIR.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(RESULTS_DIR / "account-page-1280x720.png"))

    # Then nothing spills sideways, and who / where / how much are on the first screen
    assert page.viewport_size == {"width": 1280, "height": 720}
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"the page is {width}px wide: it scrolls sideways"
    for part in ("#account-name", ".account-header .where", ".account-header .how-much"):
        box = page.locator(part).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 720, f"{part} is below the fold"
    expect(page.get_by_role("button", name="Log contact")).to_be_in_viewport()
