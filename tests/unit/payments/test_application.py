"""Payment application over open charges, and one payment split over several accounts."""

from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cistern.payments.domain.application import (
    AccountShare,
    ApplicationOrder,
    ChargeKind,
    OpenCharge,
    charge_kind_for,
    payment_apply,
    payment_split,
    payment_split_suggest,
)
from cistern.payments.domain.errors import PaymentRuleError

JAN, FEB, MAR = date(2025, 1, 15), date(2025, 2, 15), date(2025, 3, 15)

# Maria Alvarez owes January water and sewer, a February late fee and March water,
# and has a deposit on file.
ALVAREZ_OPEN = [
    OpenCharge("water", JAN, 4_000),
    OpenCharge("sewer", JAN, 3_000),
    OpenCharge("late_fee", FEB, 1_000, ChargeKind.FEE),
    OpenCharge("water", MAR, 4_500),
    OpenCharge("deposit", JAN, 10_000, ChargeKind.DEPOSIT),
]


def paid(payment_cents: int, order: ApplicationOrder) -> list[tuple[str, date, int]]:
    result = payment_apply(payment_cents=payment_cents, open_charges=ALVAREZ_OPEN, order=order)
    return [(a.category, a.charge_date, a.amount_cents) for a in result.allocations]


@pytest.mark.parametrize(
    ("payment_cents", "order", "expected"),
    [
        (
            5_000,
            ApplicationOrder.OLDEST_FIRST,
            [("water", JAN, 4_000), ("sewer", JAN, 1_000)],
        ),
        (
            8_500,
            ApplicationOrder.OLDEST_FIRST,
            [
                ("water", JAN, 4_000),
                ("sewer", JAN, 3_000),
                ("late_fee", FEB, 1_000),
                ("water", MAR, 500),
            ],
        ),
        (
            5_000,
            ApplicationOrder.FEES_FIRST,
            [("late_fee", FEB, 1_000), ("water", JAN, 4_000)],
        ),
        (
            500,
            ApplicationOrder.FEES_FIRST,
            [("late_fee", FEB, 500)],
        ),
        (
            9_000,
            ApplicationOrder.FEES_FIRST,
            [
                ("late_fee", FEB, 1_000),
                ("water", JAN, 4_000),
                ("sewer", JAN, 3_000),
                ("water", MAR, 1_000),
            ],
        ),
    ],
)
def test_a_payment_pays_charges_in_the_districts_order(
    payment_cents: int, order: ApplicationOrder, expected: list[tuple[str, date, int]]
) -> None:
    assert paid(payment_cents, order) == expected


def test_a_payment_larger_than_the_balance_leaves_a_credit() -> None:
    # given $125.00 open (deposit aside), when $200.00 is paid
    result = payment_apply(payment_cents=20_000, open_charges=ALVAREZ_OPEN)
    # then everything is paid and $75.00 is unapplied, and the deposit is not touched
    assert result.applied_cents == 12_500
    assert result.unapplied_cents == 7_500
    assert "deposit" not in result.by_category()
    assert result.by_category() == {"water": 8_500, "sewer": 3_000, "late_fee": 1_000}


def test_a_payment_on_an_account_with_nothing_open_is_all_credit() -> None:
    result = payment_apply(payment_cents=5_000, open_charges=[])
    assert result.allocations == ()
    assert result.unapplied_cents == 5_000


def test_charges_of_the_same_date_are_paid_in_the_order_given() -> None:
    charges = [OpenCharge("sewer", JAN, 100), OpenCharge("water", JAN, 100)]
    result = payment_apply(payment_cents=150, open_charges=charges)
    assert [(a.category, a.amount_cents) for a in result.allocations] == [
        ("sewer", 100),
        ("water", 50),
    ]


@pytest.mark.parametrize("payment_cents", [0, -100])
def test_a_payment_of_nothing_or_less_is_refused(payment_cents: int) -> None:
    with pytest.raises(PaymentRuleError) as refused:
        payment_apply(payment_cents=payment_cents, open_charges=ALVAREZ_OPEN)
    assert refused.value.code == "payment_not_positive"


def test_a_negative_open_charge_is_refused() -> None:
    with pytest.raises(PaymentRuleError) as refused:
        payment_apply(payment_cents=100, open_charges=[OpenCharge("water", JAN, -1)])
    assert refused.value.code == "charge_negative"
    assert "water" in refused.value.message


@pytest.mark.parametrize(
    ("category", "kind"),
    [
        ("water", ChargeKind.SERVICE),
        ("sewer", ChargeKind.SERVICE),
        ("late_fee", ChargeKind.FEE),
        ("returned_payment_fee", ChargeKind.FEE),
        ("reconnection_fee", ChargeKind.FEE),
        ("deposit", ChargeKind.DEPOSIT),
    ],
)
def test_categories_have_a_kind_by_default(category: str, kind: ChargeKind) -> None:
    assert charge_kind_for(category) is kind


def test_a_district_may_name_its_own_fee_categories() -> None:
    assert charge_kind_for("hydrant_fee", fee_categories=frozenset({"hydrant_fee"})) is (
        ChargeKind.FEE
    )


open_charges = st.lists(
    st.builds(
        OpenCharge,
        category=st.sampled_from(["water", "sewer", "late_fee", "deposit", "other"]),
        charge_date=st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31)),
        amount_cents=st.integers(min_value=0, max_value=1_000_000),
        kind=st.sampled_from(ChargeKind),
    ),
    max_size=12,
)


@settings(deadline=None)
@given(
    charges=open_charges,
    payment_cents=st.integers(min_value=1, max_value=5_000_000),
    order=st.sampled_from(ApplicationOrder),
)
def test_allocations_and_the_remainder_always_add_up_to_the_payment(
    charges: list[OpenCharge], payment_cents: int, order: ApplicationOrder
) -> None:
    result = payment_apply(payment_cents=payment_cents, open_charges=charges, order=order)
    # the payment is fully accounted for
    assert result.applied_cents + result.unapplied_cents == payment_cents
    # nothing negative, nothing zero
    assert all(a.amount_cents > 0 for a in result.allocations)
    assert result.unapplied_cents >= 0
    # no charge is paid beyond what is open of it, so no deposit is consumed
    payable = [c for c in charges if c.kind is not ChargeKind.DEPOSIT]
    open_by_key: Counter[tuple[str, date]] = Counter()
    for c in payable:
        open_by_key[(c.category, c.charge_date)] += c.amount_cents
    applied_by_key: Counter[tuple[str, date]] = Counter()
    for a in result.allocations:
        applied_by_key[(a.category, a.charge_date)] += a.amount_cents
    assert all(applied_by_key[key] <= open_by_key[key] for key in applied_by_key)
    # nothing is paid beyond what is open, and a credit only remains when all is paid
    assert result.applied_cents <= sum(c.amount_cents for c in payable)
    if result.unapplied_cents:
        assert result.applied_cents == sum(c.amount_cents for c in payable)


@settings(deadline=None)
@given(charges=open_charges, payment_cents=st.integers(min_value=1, max_value=5_000_000))
def test_deposits_are_never_consumed_whatever_the_payment(
    charges: list[OpenCharge], payment_cents: int
) -> None:
    # given only the deposits of the account, when a payment is applied
    deposits_only = [
        OpenCharge(c.category, c.charge_date, c.amount_cents, ChargeKind.DEPOSIT) for c in charges
    ]
    result = payment_apply(payment_cents=payment_cents, open_charges=deposits_only)
    # then it is all credit
    assert result.allocations == ()
    assert result.unapplied_cents == payment_cents


def test_one_payment_is_split_over_accounts_by_explicit_amounts() -> None:
    shares = payment_split(
        tendered_cents=30_000, shares=[("10000016", 12_000), ("10000024", 18_000)]
    )
    assert shares == (AccountShare("10000016", 12_000), AccountShare("10000024", 18_000))


@pytest.mark.parametrize(
    ("tendered", "shares", "code"),
    [
        (30_000, [], "split_empty"),
        (30_000, [("10000016", 12_000), ("10000024", 17_999)], "split_mismatch"),
        (30_000, [("10000016", 30_000), ("10000024", 0)], "split_not_positive"),
        (30_000, [("10000016", 31_000), ("10000024", -1_000)], "split_not_positive"),
        (30_000, [("10000016", 15_000), ("10000016", 15_000)], "split_duplicate"),
    ],
)
def test_a_split_that_does_not_add_up_is_refused(
    tendered: int, shares: list[tuple[str, int]], code: str
) -> None:
    with pytest.raises(PaymentRuleError) as refused:
        payment_split(tendered_cents=tendered, shares=shares)
    assert refused.value.code == code


def test_the_split_mismatch_message_shows_both_amounts() -> None:
    with pytest.raises(PaymentRuleError) as refused:
        payment_split(tendered_cents=30_000, shares=[("10000016", 29_999)])
    assert "$299.99" in refused.value.message
    assert "$300.00" in refused.value.message


@pytest.mark.parametrize(
    ("tendered", "dues", "expected"),
    [
        (10_000, [("A", 2_500), ("B", 7_500)], [("A", 2_500), ("B", 7_500)]),
        (100, [("A", 1), ("B", 1), ("C", 1)], [("A", 34), ("B", 33), ("C", 33)]),
        (5_000, [("A", 5_000), ("B", -2_000)], [("A", 5_000)]),
        (900, [("A", 0), ("B", 0), ("C", 0)], [("A", 300), ("B", 300), ("C", 300)]),
    ],
)
def test_a_split_is_suggested_in_proportion_to_what_each_account_owes(
    tendered: int, dues: list[tuple[str, int]], expected: list[tuple[str, int]]
) -> None:
    suggestion = payment_split_suggest(tendered_cents=tendered, amounts_due=dues)
    assert [(s.account_number, s.amount_cents) for s in suggestion] == expected
    assert sum(s.amount_cents for s in suggestion) == tendered
