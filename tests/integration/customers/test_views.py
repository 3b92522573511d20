"""The front-desk screens: workspace, search, the account page and its actions, per role."""

import pytest
from django.urls import reverse

from cistern.core.models import AuditEvent
from cistern.customers.models import ContactLogEntry, MailingAddress, SecondaryBillTo
from cistern.customers.services import Address, account_secondary_bill_to_add
from cistern.customers.services.contact_log import CONTACT_SUMMARY_MISSING
from cistern.staff.permissions import READERS
from cistern.staff.roles import Role
from tests.factories.customers import account_for_maria
from tests.factories.staff import staff_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def maria():
    return account_for_maria()


def account_url(account, name="customers:account", **kw):
    return reverse(name, kwargs={"number": account.number, **kw})


@pytest.mark.parametrize("role", sorted(READERS))
def test_the_account_page_renders_for_every_reader_role(client_for, maria, role):
    response = client_for(role).get(account_url(maria))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Garcia, Maria" in body
    assert maria.number in body
    assert "123 Oak Ave" in body
    assert "W10001" in body
    assert "(530) 555-0142" in body


def test_the_account_header_shows_balance_past_due_and_status(client_for, maria):
    body = client_for(Role.CSR_I).get(account_url(maria)).content.decode()
    assert "Balance" in body and "$0.00" in body
    assert "Past due" in body
    assert "Active" in body


def test_an_auditor_sees_the_account_but_no_action_that_changes_anything(client_for, maria):
    account_secondary_bill_to_add(
        account_id=maria.pk,
        name="Lupe Garcia",
        address=Address("9 Elm St", "Davis", "CA", "95616"),
        actor=staff_user(Role.CSR_II),
    )
    body = client_for(Role.AUDITOR).get(account_url(maria)).content.decode()
    assert "Lupe Garcia" in body
    assert body.count('method="post"') == 1  # only the sign-out form
    assert "Update mailing address" not in body
    assert "Log contact" not in body
    assert "History" in body  # the auditor may read the audit trail


def test_a_csr_i_sees_contact_and_address_actions_but_not_bill_to(client_for, maria):
    body = client_for(Role.CSR_I).get(account_url(maria)).content.decode()
    assert "Log contact" in body
    assert "Update mailing address" in body
    assert "Edit phones and e-mails" in body
    assert "Add a secondary bill-to" not in body


def test_an_unknown_account_number_shows_a_friendly_404(client_for):
    response = client_for(Role.CSR_I).get("/accounts/99999999/")
    assert response.status_code == 404
    assert "Account not found" in response.content.decode()


@pytest.mark.parametrize("number", ["x", "%20", "1' OR 1=1", "--", "9" * 40])
def test_a_strange_account_number_is_a_404_not_an_error(client_for, number):
    response = client_for(Role.CSR_I).get(f"/accounts/{number}/")
    assert response.status_code == 404


def test_logging_a_contact_with_htmx_returns_the_panel_with_the_new_entry(client_for, maria):
    response = client_for(Role.CSR_I).post(
        account_url(maria, "customers:contact_log_new"),
        {"channel": "phone", "direction": "in", "summary": "Asked about the due date."},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="contact-log"' in body
    assert "Asked about the due date." in body
    assert "<html" not in body  # a partial, not a page
    entry = ContactLogEntry.objects.get(account=maria)
    assert entry.staff == staff_user(Role.CSR_I)


def test_logging_a_contact_without_htmx_redirects_to_the_account(client_for, maria):
    response = client_for(Role.CSR_I).post(
        account_url(maria, "customers:contact_log_new"),
        {"channel": "walk_in", "direction": "in", "summary": "Paid at the counter."},
    )
    assert response.status_code == 302
    assert ContactLogEntry.objects.filter(account=maria).count() == 1


def test_an_empty_contact_shows_the_error_beside_the_field_and_saves_nothing(client_for, maria):
    response = client_for(Role.CSR_I).post(
        account_url(maria, "customers:contact_log_new"),
        {"channel": "phone", "direction": "in", "summary": "   "},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "field-error" in body
    assert ContactLogEntry.objects.count() == 0
    assert str(CONTACT_SUMMARY_MISSING) in body or "This field is required." in body


def test_an_invalid_contact_without_htmx_is_a_422_page_with_the_error(client_for, maria):
    response = client_for(Role.CSR_I).post(
        account_url(maria, "customers:contact_log_new"),
        {"channel": "telepathy", "direction": "in", "summary": "hi"},
    )
    assert response.status_code == 422
    assert "field-error" in response.content.decode()
    assert ContactLogEntry.objects.count() == 0


def test_an_auditor_cannot_log_a_contact(client_for, maria):
    response = client_for(Role.AUDITOR).post(
        account_url(maria, "customers:contact_log_new"),
        {"channel": "phone", "direction": "in", "summary": "x"},
    )
    assert response.status_code == 403
    assert ContactLogEntry.objects.count() == 0


def test_updating_the_mailing_address_keeps_the_old_one_in_history(client_for, maria):
    client = client_for(Role.CSR_I)
    response = client.post(
        account_url(maria, "customers:mailing_address_update"),
        {
            "line1": "PO Box 77",
            "city": "Woodland",
            "state": "ca",
            "postal_code": "95695",
            "reason": "Customer called: new PO box",
        },
    )
    assert response.status_code == 302
    rows = MailingAddress.objects.filter(customer_id=maria.customer_id)
    assert rows.count() == 2
    assert rows.get(valid_to__isnull=True).line1 == "PO Box 77"
    body = client.get(account_url(maria)).content.decode()
    assert "PO Box 77" in body
    assert "1 earlier mailing address" in body


def test_a_bad_zip_code_is_shown_beside_the_field_and_nothing_changes(client_for, maria):
    response = client_for(Role.CSR_I).post(
        account_url(maria, "customers:mailing_address_update"),
        {
            "line1": "PO Box 77",
            "city": "Woodland",
            "state": "CA",
            "postal_code": "9569",
            "reason": "moved",
        },
    )
    assert response.status_code == 422
    assert "ZIP" in response.content.decode()
    assert MailingAddress.objects.filter(customer_id=maria.customer_id).count() == 1


def test_phones_can_be_added_and_a_bad_one_is_refused(client_for, maria):
    client = client_for(Role.CSR_I)
    ok = client.post(
        account_url(maria, "customers:phone_add"),
        {"phone-new-number": "707.555.0199", "phone-new-kind": "home"},
    )
    assert ok.status_code == 302
    bad = client.post(
        account_url(maria, "customers:phone_add"),
        {"phone-new-number": "555-01", "phone-new-kind": "home"},
    )
    assert bad.status_code == 422
    assert "10-digit" in bad.content.decode()
    page = client.get(account_url(maria, "customers:contact_details")).content.decode()
    assert "(707) 555-0199" in page


def test_a_csr_ii_adds_and_removes_a_secondary_bill_to(client_for, maria):
    client = client_for(Role.CSR_II)
    response = client.post(
        account_url(maria, "customers:bill_to_add"),
        {
            "name": "Oak Property Mgmt",
            "line1": "1 Main St",
            "city": "Davis",
            "state": "CA",
            "postal_code": "95616",
            "receives_bills": "on",
        },
    )
    assert response.status_code == 302
    bill_to = SecondaryBillTo.objects.get(account=maria)
    client.post(account_url(maria, "customers:bill_to_remove", bill_to_id=bill_to.pk))
    bill_to.refresh_from_db()
    assert bill_to.removed_on is not None


def test_the_history_tab_lists_the_accounts_audit_events(client_for, maria):
    response = client_for(Role.AUDITOR).get(account_url(maria, "customers:account_history"))
    assert response.status_code == 200
    assert "account.open" in response.content.decode()
    assert AuditEvent.objects.filter(account_id=maria.pk).exists()


def test_a_csr_i_may_not_open_the_history_tab(client_for, maria):
    assert (
        client_for(Role.CSR_I).get(account_url(maria, "customers:account_history")).status_code
        == 403
    )


def test_the_typeahead_returns_links_to_the_best_accounts(client_for, maria):
    response = client_for(Role.CSR_I).get(
        reverse("customers:search_typeahead"), {"q": "oak 123"}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="/accounts/{maria.number}/"' in body


@pytest.mark.parametrize("query", ['"', "((", "*" * 300, "\x00", "<script>alert(1)</script>"])
def test_the_search_pages_never_error_on_odd_input(client_for, maria, query):
    client = client_for(Role.CSR_I)
    for name in ("customers:search", "customers:search_typeahead", "customers:search_export"):
        response = client.get(reverse(name), {"q": query})
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()


def test_the_search_results_export_as_csv(client_for, maria):
    response = client_for(Role.CSR_I).get(reverse("customers:search_export"), {"q": "garcia"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Account,Name")
    assert maria.number in lines[1]


def test_the_workspace_lists_accounts_the_user_opened(client_for, maria):
    client = client_for(Role.CSR_I)
    client.get(account_url(maria))
    body = client.get(reverse("customers:workspace")).content.decode()
    assert "Garcia, Maria" in body
