"""Workspace search: every way a CSR might type who they are looking for finds the account.

Runs on SQLite (FTS5) and PostgreSQL (GIN over the words) alike.
"""

import pytest

from cistern.customers.domain.account_status import AccountStatus
from cistern.customers.selectors import account_search
from cistern.customers.services import (
    Address,
    account_status_change,
    customer_mailing_address_update,
    customer_phone_add,
    search_documents_rebuild,
)
from cistern.staff.roles import Role
from tests.factories.customers import account_for_maria, cast_account, customer_account
from tests.factories.staff import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    maria = account_for_maria()
    james = cast_account("james")
    linh = cast_account("linh")
    # Neighbours whose words overlap with Maria's, so ranking matters.
    oakwood = customer_account(
        first_name="Omar",
        last_name="Oakes",
        street_number="1234",
        street_name="Oakland Blvd",
        phone="(530) 555-7777",
    )
    return {"maria": maria, "james": james, "linh": linh, "oakwood": oakwood}


QUERIES = [
    ("oak 123", "maria"),
    ("123 Oak", "maria"),
    ("123 oak ave", "maria"),
    ("Oak Ave 123", "maria"),
    ("maria garcia", "maria"),
    ("garcia", "maria"),
    ("GARC", "maria"),
    ("García", "maria"),
    ("(530) 555-0142", "maria"),
    ("530-555-0142", "maria"),
    ("5305550142", "maria"),
    ("1-530-555-0142", "maria"),
    ("555-0142", "maria"),
    ("5550142", "maria"),
    ("maria.garcia@example.com", "maria"),
    ("maria.garcia@", "maria"),
    ("W10001", "maria"),
    ("w10001", "maria"),
    ("069-231-014", "maria"),
    ("069231014", "maria"),
    ("whitfield", "james"),
    ("88 maple", "james"),
    ("jwhitfield@example.net", "james"),
    ("916 555 0107", "linh"),
    ("1407 oakwood", "linh"),
    ("tran linh", "linh"),
    ("1234 oakland", "oakwood"),
]


@pytest.mark.parametrize(("query", "who"), QUERIES)
def test_each_way_of_typing_finds_the_right_account_first(cast, query, who):
    hits = account_search(query=query)
    assert hits, f"nothing found for {query!r}"
    assert hits[0].number == cast[who].number


def test_the_account_number_finds_the_account_exactly_and_by_prefix(cast):
    number = cast["james"].number
    assert account_search(query=number)[0].number == number
    assert number in [h.number for h in account_search(query=number[:6])]


def test_an_exact_street_number_outranks_a_longer_one_that_only_starts_with_it(cast):
    hits = account_search(query="123 oak")
    numbers = [h.number for h in hits]
    assert numbers[0] == cast["maria"].number
    assert cast["oakwood"].number in numbers  # "1234 Oakland" matches by prefix, after


def test_a_hit_says_what_matched(cast):
    assert "phone" in account_search(query="555-0142")[0].matched
    assert "service_address" in account_search(query="oak 123")[0].matched
    assert "meter" in account_search(query="W10001")[0].matched
    assert "apn" in account_search(query="069231014")[0].matched
    assert "email" in account_search(query="maria.garcia@example.com")[0].matched
    assert "name" in account_search(query="garcia")[0].matched


def test_a_hit_carries_what_the_list_shows(cast):
    hit = account_search(query="maria garcia")[0]
    assert hit.display_name == "Garcia, Maria"
    assert hit.service_address == "123 Oak Ave, Davis"
    assert hit.status == AccountStatus.ACTIVE


def test_an_active_account_comes_before_a_closed_one_at_the_same_address(db):
    given_old = customer_account(
        last_name="Prior", street_number="9", street_name="Elm St", status=AccountStatus.CLOSED
    )
    given_new = customer_account(last_name="Current", street_number="9", street_name="Elm St")
    hits = account_search(query="9 elm")
    assert [h.number for h in hits[:2]] == [given_new.number, given_old.number]


def test_a_new_mailing_address_is_found_and_the_old_one_no_longer_is(cast):
    maria = cast["maria"]
    customer_mailing_address_update(
        customer_id=maria.customer_id,
        address=Address("PO Box 77", "Woodland", "CA", "95695"),
        reason="moved",
        actor=staff_user(Role.CSR_I),
    )
    assert account_search(query="po box 77")[0].number == maria.number
    assert "mailing_address" in account_search(query="woodland")[0].matched


def test_a_phone_added_later_is_found(cast):
    customer_phone_add(
        customer_id=cast["james"].customer_id, number="707 555 0123", actor=staff_user(Role.CSR_I)
    )
    assert account_search(query="(707) 555-0123")[0].number == cast["james"].number


def test_a_status_change_reorders_but_still_finds(cast):
    account_status_change(
        account_id=cast["maria"].pk,
        status="final",
        reason="moved out",
        actor=staff_user(Role.CSR_II),
    )
    assert account_search(query="garcia")[0].status == "final"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"',
        "'",
        '"oak',
        "oak\"'",
        "AND",
        "OR NOT",
        "NEAR(oak 123)",
        "*",
        "oak*",
        "(((",
        ")",
        "-",
        "--",
        "@",
        "a:*",
        "!&|",
        "\\",
        "%",
        "_",
        "^oak",
        "{oak}",
        "oak:123",
        "x" * 5000,
        "oak " * 300,
        "\x00",
        "💧",
        "日本",
        "; DROP TABLE customers_account; --",
        "col:oak",
        "-oak",
        "+oak",
        "1" * 40,
    ],
)
def test_a_malformed_query_never_errors(cast, query):
    hits = account_search(query=query)
    assert isinstance(hits, list)


def test_a_query_with_nothing_searchable_returns_nothing(cast):
    assert account_search(query="") == []
    assert account_search(query=' "" *** ') == []


def test_the_limit_is_respected(db):
    for n in range(5):
        customer_account(last_name=f"Smith{n}", street_name="Birch Way")
    assert len(account_search(query="birch", limit=3)) == 3
    assert len(account_search(query="birch", limit=0)) == 1


def test_rebuilding_the_documents_keeps_every_account_findable(cast):
    assert search_documents_rebuild() == 4
    assert account_search(query="oak 123")[0].number == cast["maria"].number
    assert search_documents_rebuild(account_ids=[cast["james"].pk]) == 1
    assert account_search(query="whitfield")[0].number == cast["james"].number
    assert account_search(query="W10003")[0].number == cast["linh"].number
