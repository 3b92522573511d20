"""Customer services: each action, its audit row, history kept, and refusals that change nothing."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent
from cistern.customers.models import (
    Account,
    AccountFlag,
    ContactLogEntry,
    Customer,
    CustomerEmail,
    CustomerPhone,
    MailingAddress,
    SecondaryBillTo,
)
from cistern.customers.services import (
    Address,
    PhoneInput,
    account_flag_clear,
    account_flag_set,
    account_open,
    account_secondary_bill_to_add,
    account_secondary_bill_to_remove,
    account_status_change,
    contact_log_create,
    customer_create,
    customer_email_add,
    customer_email_remove,
    customer_email_update,
    customer_mailing_address_update,
    customer_phone_add,
    customer_phone_remove,
    customer_phone_update,
    customer_returned_mail_mark,
    premise_create,
)
from cistern.customers.services.accounts import (
    ACCOUNT_OPEN_STATUS_INVALID,
    ACCOUNT_PREMISE_OCCUPIED,
    ACCOUNT_STATUS_MOVE_REFUSED,
)
from cistern.customers.services.addresses import ADDRESS_POSTAL_CODE_INVALID
from cistern.customers.services.bill_to import BILL_TO_ALREADY_REMOVED, BILL_TO_NOTHING_TO_SEND
from cistern.customers.services.contact_details import EMAIL_INVALID, PHONE_DUPLICATE, PHONE_INVALID
from cistern.customers.services.contact_log import CONTACT_IN_FUTURE, CONTACT_SUMMARY_MISSING
from cistern.customers.services.customers import (
    CUSTOMER_LAST_NAME_MISSING,
    MAILING_ADDRESS_REASON_MISSING,
    MAILING_ADDRESS_UNCHANGED,
)
from cistern.customers.services.flags import FLAG_ALREADY_SET, FLAG_LOW_INCOME_NOTE_REFUSED
from cistern.customers.services.premises import PREMISE_APN_INVALID
from cistern.staff.roles import Role
from tests.factories.customers import account_for_maria, customer_account
from tests.factories.staff import staff_user

pytestmark = pytest.mark.django_db
NEW_ADDRESS = Address("PO Box 77", "Woodland", "CA", "95695")


@pytest.fixture
def csr():
    return staff_user(Role.CSR_I)


@pytest.fixture
def maria():
    return account_for_maria()


def events(action):
    return AuditEvent.objects.filter(action=action)


# --- customers and premises -------------------------------------------------------------


def test_a_new_person_gets_a_display_name_a_primary_phone_and_an_audit_row(csr):
    customer = customer_create(
        first_name="José",
        last_name="Núñez",
        preferred_language="es",
        phones=[PhoneInput("(530) 555-0101"), PhoneInput("530 555 0102", "home")],
        emails=["Jose@Example.com"],
        mailing_address=Address("1 Main St", "Davis", "ca", "95616"),
        actor=csr,
    )
    assert customer.display_name == "Núñez, José"
    assert list(customer.phones.values_list("number", "is_primary")) == [
        ("5305550101", True),
        ("5305550102", False),
    ]
    assert customer.emails.get().address == "jose@example.com"
    assert customer.mailing_addresses.get().state == "CA"
    event = events("customer.create").get()
    assert event.actor == csr
    assert event.after["phones"] == ["5305550101", "5305550102"]


def test_an_organization_needs_its_name_and_a_person_a_last_name(csr):
    org = customer_create(kind="organization", organization_name="Davis Joint USD", actor=csr)
    assert org.display_name == "Davis Joint USD"
    with pytest.raises(ServiceError) as refused:
        customer_create(first_name="Ana", actor=csr)
    assert refused.value.message == str(CUSTOMER_LAST_NAME_MISSING)
    assert refused.value.field == "last_name"


def test_a_customer_with_a_bad_phone_is_not_half_created(csr):
    with pytest.raises(ServiceError) as refused:
        customer_create(last_name="Half", phones=[PhoneInput("555-01")], actor=csr)
    assert refused.value.message == str(PHONE_INVALID)
    assert not Customer.objects.filter(last_name="Half").exists()
    assert not events("customer.create").exists()


def test_a_premise_refuses_a_malformed_apn(csr):
    with pytest.raises(ServiceError) as refused:
        premise_create(
            street_number="1",
            street_name="Main St",
            city="Davis",
            postal_code="95616",
            apn="APN#12",
            actor=csr,
        )
    assert refused.value.message == str(PREMISE_APN_INVALID)


# --- accounts ---------------------------------------------------------------------------


def test_opening_an_account_numbers_it_with_a_check_digit_and_indexes_it(csr):
    customer = customer_create(last_name="Okafor", actor=csr)
    premise = premise_create(
        street_number="5", street_name="Pine St", city="Davis", postal_code="95616", actor=csr
    )
    account = account_open(
        customer_id=customer.pk,
        premise_id=premise.pk,
        services=["water", "sewer", "water"],
        actor=csr,
    )
    assert len(account.number) == 8
    assert account.status == "pending"
    assert sorted(account.services.values_list("service", flat=True)) == ["sewer", "water"]
    assert account.search_document.text.startswith(account.number)
    assert events("account.open").get().account_id == account.pk


def test_a_premise_with_an_open_account_takes_no_second_one(csr, maria):
    other = customer_create(last_name="Next", actor=csr)
    with pytest.raises(ServiceError) as refused:
        account_open(customer_id=other.pk, premise_id=maria.premise_id, actor=csr)
    assert refused.value.message == str(ACCOUNT_PREMISE_OCCUPIED).format(number=maria.number)
    assert Account.objects.count() == 1


def test_an_account_cannot_open_as_final(csr, maria):
    with pytest.raises(ServiceError) as refused:
        account_open(
            customer_id=maria.customer_id, premise_id=maria.premise_id, status="final", actor=csr
        )
    assert refused.value.message == str(ACCOUNT_OPEN_STATUS_INVALID)


def test_an_allowed_status_move_is_made_and_audited_with_its_reason(maria):
    actor = staff_user(Role.CSR_II)
    account_status_change(
        account_id=maria.pk,
        status="final",
        reason="Moving out",
        actor=actor,
        on_date=date(2025, 3, 1),
    )
    maria.refresh_from_db()
    assert (maria.status, maria.end_date) == ("final", date(2025, 3, 1))
    event = events("account.status.change").get()
    assert (event.before["status"], event.after["status"], event.reason) == (
        "active",
        "final",
        "Moving out",
    )


def test_a_move_the_rules_do_not_allow_is_refused_with_the_moves_that_are(maria):
    with pytest.raises(ServiceError) as refused:
        account_status_change(
            account_id=maria.pk, status="pending", reason="oops", actor=staff_user(Role.CSR_II)
        )
    assert refused.value.message == str(ACCOUNT_STATUS_MOVE_REFUSED).format(
        current="active", target="pending", allowed="final, locked off, suspended"
    )
    maria.refresh_from_db()
    assert maria.status == "active"
    assert not events("account.status.change").exists()


# --- mailing address ------------------------------------------------------------------


def test_a_mailing_address_update_closes_the_old_row_and_keeps_it(csr, maria):
    customer_returned_mail_mark(customer_id=maria.customer_id, actor=csr)
    new = customer_mailing_address_update(
        customer_id=maria.customer_id,
        address=NEW_ADDRESS,
        reason="Customer called",
        actor=csr,
        account_id=maria.pk,
    )
    rows = MailingAddress.objects.filter(customer_id=maria.customer_id).order_by("valid_from")
    assert [r.line1 for r in rows] == ["123 Oak Ave", "PO Box 77"]
    assert rows[0].valid_to is not None and rows[1].valid_to is None
    assert new.recorded_by == csr
    customer = Customer.objects.get(pk=maria.customer_id)
    assert customer.returned_mail is False  # the new address clears it
    event = events("customer.mailing_address.update").get()
    assert event.before["mailing_address"]["line1"] == "123 Oak Ave"
    assert event.after["mailing_address"]["line1"] == "PO Box 77"
    assert (event.reason, event.account_id) == ("Customer called", maria.pk)


@pytest.mark.parametrize(
    ("address", "reason", "message"),
    [
        (Address("PO Box 77", "Woodland", "CA", "9569"), "moved", ADDRESS_POSTAL_CODE_INVALID),
        (NEW_ADDRESS, "  ", MAILING_ADDRESS_REASON_MISSING),
        (Address("123 Oak Ave", "Davis", "CA", "95616"), "same", MAILING_ADDRESS_UNCHANGED),
    ],
)
def test_a_refused_address_update_changes_nothing(csr, maria, address, reason, message):
    with pytest.raises(ServiceError) as refused:
        customer_mailing_address_update(
            customer_id=maria.customer_id, address=address, reason=reason, actor=csr
        )
    assert refused.value.message == str(message)
    assert MailingAddress.objects.filter(customer_id=maria.customer_id).count() == 1
    assert not events("customer.mailing_address.update").exists()


def test_returned_mail_is_flagged_with_its_date_and_cannot_be_in_the_future(csr, maria):
    customer_returned_mail_mark(
        customer_id=maria.customer_id, returned_on=date(2025, 1, 6), actor=csr
    )
    customer = Customer.objects.get(pk=maria.customer_id)
    assert (customer.returned_mail, customer.returned_mail_on) == (True, date(2025, 1, 6))
    with pytest.raises(ServiceError):
        customer_returned_mail_mark(
            customer_id=maria.customer_id,
            returned_on=timezone.localdate() + timedelta(days=1),
            actor=csr,
        )


# --- phones and e-mails ---------------------------------------------------------------


def test_making_another_phone_primary_takes_it_from_the_old_one(csr, maria):
    cid = maria.customer_id
    second = customer_phone_add(
        customer_id=cid, number="530-555-0199", kind="home", is_primary=True, actor=csr
    )
    assert list(
        CustomerPhone.objects.filter(customer_id=cid).values_list("number", "is_primary")
    ) == [
        ("5305550199", True),
        ("5305550142", False),
    ]
    customer_phone_remove(phone_id=second.pk, actor=csr)
    assert CustomerPhone.objects.get(customer_id=cid).is_primary  # primary handed on
    assert events("customer.phone.remove").get().before["number"] == "5305550199"


def test_a_duplicate_or_malformed_phone_is_refused(csr, maria):
    with pytest.raises(ServiceError) as refused:
        customer_phone_add(customer_id=maria.customer_id, number="5305550142", actor=csr)
    assert refused.value.message == str(PHONE_DUPLICATE)
    phone = CustomerPhone.objects.get(customer_id=maria.customer_id)
    with pytest.raises(ServiceError):
        customer_phone_update(
            phone_id=phone.pk, number="12", kind="home", is_primary=True, actor=csr
        )
    phone.refresh_from_db()
    assert phone.number == "5305550142"


def test_e_mails_are_added_updated_and_removed_with_audit(csr, maria):
    cid = maria.customer_id
    added = customer_email_add(customer_id=cid, address="MG@Work.example", actor=csr)
    assert added.address == "mg@work.example" and not added.is_primary
    customer_email_update(email_id=added.pk, address="mg@work.example", is_primary=True, actor=csr)
    assert CustomerEmail.objects.get(customer_id=cid, is_primary=True).pk == added.pk
    customer_email_remove(email_id=added.pk, actor=csr)
    assert CustomerEmail.objects.get(customer_id=cid).is_primary
    assert events("customer.email.update").get().after["primary"] is True
    with pytest.raises(ServiceError) as refused:
        customer_email_add(customer_id=cid, address="not-an-email", actor=csr)
    assert refused.value.message == str(EMAIL_INVALID)


# --- bill-to, flags, contact log ------------------------------------------------------


def test_a_removed_bill_to_is_kept_with_its_removal_date(maria):
    actor = staff_user(Role.CSR_II)
    bill_to = account_secondary_bill_to_add(
        account_id=maria.pk, name="Lupe Garcia", address=NEW_ADDRESS, actor=actor
    )
    account_secondary_bill_to_remove(account_id=maria.pk, bill_to_id=bill_to.pk, actor=actor)
    bill_to.refresh_from_db()
    assert bill_to.removed_on == timezone.localdate()
    assert SecondaryBillTo.objects.count() == 1
    with pytest.raises(ServiceError) as refused:
        account_secondary_bill_to_remove(account_id=maria.pk, bill_to_id=bill_to.pk, actor=actor)
    assert refused.value.message == str(BILL_TO_ALREADY_REMOVED)
    assert events("account.bill_to.remove").get().account_id == maria.pk


def test_a_bill_to_that_would_receive_nothing_is_refused(maria):
    with pytest.raises(ServiceError) as refused:
        account_secondary_bill_to_add(
            account_id=maria.pk,
            name="Nobody",
            address=NEW_ADDRESS,
            receives_bills=False,
            receives_notices=False,
            actor=staff_user(Role.CSR_II),
        )
    assert refused.value.message == str(BILL_TO_NOTHING_TO_SEND)
    assert not SecondaryBillTo.objects.exists()


def test_a_low_income_flag_keeps_only_evidence_type_and_date(maria):
    actor = staff_user(Role.CSR_II)
    with pytest.raises(ServiceError) as refused:
        account_flag_set(
            account_id=maria.pk,
            kind="low_income",
            evidence_type="program_enrollment",
            evidence_date=date(2025, 1, 2),
            note="CalFresh case 12345678",
            actor=actor,
        )
    assert refused.value.message == str(FLAG_LOW_INCOME_NOTE_REFUSED)
    flag = account_flag_set(
        account_id=maria.pk,
        kind="low_income",
        evidence_type="program_enrollment",
        evidence_date=date(2025, 1, 2),
        actor=actor,
    )
    assert (flag.evidence_type, flag.evidence_date, flag.note) == (
        "program_enrollment",
        date(2025, 1, 2),
        "",
    )
    with pytest.raises(ServiceError) as again:
        account_flag_set(
            account_id=maria.pk,
            kind="low_income",
            evidence_type="self_declaration",
            evidence_date=date(2025, 1, 2),
            actor=actor,
        )
    assert again.value.message == str(FLAG_ALREADY_SET)


def test_a_cleared_flag_stays_on_file(maria):
    actor = staff_user(Role.CSR_II)
    account_flag_set(account_id=maria.pk, kind="medical", actor=actor)
    account_flag_clear(account_id=maria.pk, kind="medical", actor=actor, reason="expired")
    flag = AccountFlag.objects.get(account=maria)
    assert flag.cleared_on == timezone.localdate()
    assert events("account.flag.clear").get().reason == "expired"


def test_a_contact_is_logged_now_by_default_and_audited(csr, maria):
    entry = contact_log_create(
        account_id=maria.pk,
        channel="phone",
        direction="in",
        summary="  High bill question ",
        actor=csr,
    )
    assert entry.summary == "High bill question"
    assert abs((timezone.now() - entry.occurred_at).total_seconds()) < 60
    assert events("contact_log.create").get().account_id == maria.pk


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"summary": ""}, CONTACT_SUMMARY_MISSING),
        ({"occurred_at": timezone.now() + timedelta(hours=2)}, CONTACT_IN_FUTURE),
    ],
)
def test_a_refused_contact_is_not_logged(csr, maria, changes, message):
    values = {"channel": "phone", "direction": "in", "summary": "hi", **changes}
    with pytest.raises(ServiceError) as refused:
        contact_log_create(account_id=maria.pk, actor=csr, **values)
    assert refused.value.message == str(message)
    assert not ContactLogEntry.objects.exists()


def test_the_factory_builds_closed_accounts_through_the_status_rules(db):
    account = customer_account(last_name="Gone", status="closed")
    assert account.status == "closed"
    assert account.end_date is not None
