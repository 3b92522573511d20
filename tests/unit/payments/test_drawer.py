"""The drawer: counting cash, change due, and the blind count at close."""

import pytest

from cistern.payments.domain.drawer import (
    BlindCount,
    Denomination,
    SessionReceipt,
    Tender,
    change_due,
    count_cash,
    currency_and_coin,
    drawer_expected,
    drawer_reconcile,
)
from cistern.payments.domain.errors import PaymentRuleError

D = Denomination

# A $200.00 float: 5 x $20, 8 x $10, 2 x $5, 5 x $1 bills, a roll of quarters, dimes...
FLOAT_COUNT = {
    D.BILL_20: 5,
    D.BILL_10: 8,
    D.BILL_5: 2,
    D.BILL_1: 5,
    D.COIN_25: 12,
    D.COIN_10: 15,
    D.COIN_5: 8,
    D.COIN_1: 10,
}


@pytest.mark.parametrize(
    ("denomination", "cents"),
    [
        (D.BILL_100, 10_000),
        (D.BILL_50, 5_000),
        (D.BILL_20, 2_000),
        (D.BILL_10, 1_000),
        (D.BILL_5, 500),
        (D.BILL_2, 200),
        (D.BILL_1, 100),
        (D.COIN_100, 100),
        (D.COIN_50, 50),
        (D.COIN_25, 25),
        (D.COIN_10, 10),
        (D.COIN_5, 5),
        (D.COIN_1, 1),
    ],
)
def test_each_denomination_is_worth_its_face_in_cents(denomination: D, cents: int) -> None:
    assert denomination.cents == cents
    assert count_cash({denomination: 3}) == 3 * cents


def test_a_denomination_is_found_by_its_stored_code() -> None:
    assert D.from_code("bill_20") is D.BILL_20
    assert D.from_code("coin_100") is D.COIN_100
    with pytest.raises(PaymentRuleError):
        D.from_code("bill_3")


def test_a_counted_float_adds_up() -> None:
    assert count_cash(FLOAT_COUNT) == 20_000
    assert currency_and_coin(FLOAT_COUNT) == (19_500, 500)


def test_dollar_bills_and_dollar_coins_are_counted_apart() -> None:
    assert len({D.BILL_1, D.COIN_100}) == 2
    assert count_cash({D.BILL_1: 2, D.COIN_100: 3}) == 500
    assert currency_and_coin({D.BILL_1: 2, D.COIN_100: 3}) == (200, 300)


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(PaymentRuleError) as refused:
        count_cash({D.BILL_20: -1})
    assert refused.value.code == "negative_count"
    assert "bill_20" in refused.value.message


@pytest.mark.parametrize(
    ("tender", "due", "tendered", "allow_partial", "change"),
    [
        (Tender.CASH, 8_732, 10_000, False, 1_268),
        (Tender.CASH, 8_732, 8_732, False, 0),
        (Tender.CASH, 8_732, 5_000, True, 0),
        (Tender.CHECK, 8_732, 10_000, False, 0),  # the extra $12.68 becomes a credit
        (Tender.MONEY_ORDER, 8_732, 5_000, False, 0),
        (Tender.CARD, 8_732, 8_732, False, 0),
    ],
)
def test_change_is_due_only_on_cash(
    tender: Tender, due: int, tendered: int, allow_partial: bool, change: int
) -> None:
    assert (
        change_due(
            tender=tender,
            amount_due_cents=due,
            amount_tendered_cents=tendered,
            allow_partial=allow_partial,
        )
        == change
    )


def test_cash_short_of_the_amount_due_is_refused_unless_partial_payment_is_allowed() -> None:
    with pytest.raises(PaymentRuleError) as refused:
        change_due(tender=Tender.CASH, amount_due_cents=8_732, amount_tendered_cents=8_000)
    assert refused.value.code == "tendered_short"
    assert "$80.00" in refused.value.message
    assert "$87.32" in refused.value.message
    assert "partial" in refused.value.message


@pytest.mark.parametrize(("due", "tendered"), [(0, 100), (-5, 100), (100, -1)])
def test_change_is_not_computed_for_impossible_amounts(due: int, tendered: int) -> None:
    with pytest.raises(PaymentRuleError):
        change_due(tender=Tender.CASH, amount_due_cents=due, amount_tendered_cents=tendered)


RECEIPTS = [
    SessionReceipt(Tender.CASH, 8_732),
    SessionReceipt(Tender.CASH, 4_500),
    SessionReceipt(Tender.CASH, 9_999, voided=True),
    SessionReceipt(Tender.CHECK, 12_000),
    SessionReceipt(Tender.CHECK, 6_050),
    SessionReceipt(Tender.MONEY_ORDER, 7_500),
    SessionReceipt(Tender.CARD, 15_025),
]


def test_what_a_drawer_should_hold_is_the_float_plus_unvoided_receipts_by_tender() -> None:
    assert drawer_expected(opening_float_cents=20_000, receipts=RECEIPTS) == {
        Tender.CASH: 33_232,
        Tender.CHECK: 18_050,
        Tender.MONEY_ORDER: 7_500,
        Tender.CARD: 15_025,
    }


def test_a_blind_count_that_matches_balances_the_drawer() -> None:
    # given the cashier counts $332.32 in cash and the checks, money order and card batch
    cash = {
        D.BILL_100: 2,
        D.BILL_50: 1,
        D.BILL_20: 4,
        D.BILL_1: 2,
        D.COIN_25: 1,
        D.COIN_5: 1,
        D.COIN_1: 2,
    }
    count = BlindCount(cash, checks_cents=18_050, money_orders_cents=7_500, card_cents=15_025)
    # when the count is reconciled
    result = drawer_reconcile(opening_float_cents=20_000, receipts=RECEIPTS, count=count)
    # then nothing is over or short
    assert result.line(Tender.CASH).counted_cents == 33_232
    assert result.balanced
    assert result.over_short_cents == 0


def test_a_short_cash_count_and_an_over_check_count_are_shown_per_tender() -> None:
    cash = {D.BILL_100: 3, D.BILL_20: 1, D.BILL_10: 1}  # $330.00: $2.32 short
    count = BlindCount(cash, checks_cents=18_100, money_orders_cents=7_500, card_cents=15_025)
    result = drawer_reconcile(opening_float_cents=20_000, receipts=RECEIPTS, count=count)
    assert [(line.tender, line.over_short_cents) for line in result.lines] == [
        (Tender.CASH, -232),
        (Tender.CHECK, 50),
        (Tender.MONEY_ORDER, 0),
        (Tender.CARD, 0),
    ]
    assert result.over_short_cents == -182
    assert not result.balanced


def test_a_negative_counted_amount_is_refused() -> None:
    with pytest.raises(PaymentRuleError):
        drawer_reconcile(opening_float_cents=0, receipts=[], count=BlindCount({}, checks_cents=-1))


def test_a_negative_float_is_refused() -> None:
    with pytest.raises(PaymentRuleError):
        drawer_expected(opening_float_cents=-1, receipts=[])
