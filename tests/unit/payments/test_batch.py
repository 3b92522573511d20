"""A payment batch posts only when its items match its declared count and amount."""

import pytest

from cistern.payments.domain.batch import batch_check
from cistern.payments.domain.errors import PaymentRuleError


@pytest.mark.parametrize(
    ("control_count", "control_cents", "items", "matches", "count_diff", "amount_diff"),
    [
        (3, 30_000, [10_000, 12_500, 7_500], True, 0, 0),
        (3, 30_000, [10_000, 12_500], False, -1, -7_500),  # an envelope not entered yet
        (3, 30_000, [10_000, 12_500, 7_500, 100], False, 1, 100),
        (3, 30_000, [10_000, 12_500, 7_450], False, 0, -50),  # a keying error
        (3, 30_000, [10_000, 12_000, 8_000], True, 0, 0),  # totals match; the tape decides
        (0, 0, [], True, 0, 0),
        (2, 0, [100, -100], False, 0, 0),  # a negative item never posts
        (1, 0, [0], False, 0, 0),
    ],
)
def test_a_batch_matches_only_when_count_and_amount_agree(
    control_count: int,
    control_cents: int,
    items: list[int],
    matches: bool,
    count_diff: int,
    amount_diff: int,
) -> None:
    check = batch_check(control_count, control_cents, items)
    assert check.matches is matches
    assert check.count_difference == count_diff
    assert check.amount_difference_cents == amount_diff


def test_a_batch_that_does_not_match_says_why() -> None:
    check = batch_check(3, 30_000, [10_000, 12_500, 0])
    assert check.problems() == [
        "The batch declares $300.00 but the items add up to $225.00.",
        "Item 3 is zero or negative; every payment must be more than zero.",
    ]
    assert batch_check(2, 100, [50, 25, 25]).problems() == [
        "The batch declares 2 items but 3 were entered."
    ]


def test_a_matching_batch_has_no_problems() -> None:
    assert batch_check(1, 500, [500]).problems() == []


@pytest.mark.parametrize(("count", "cents"), [(-1, 0), (0, -1)])
def test_negative_control_totals_are_refused(count: int, cents: int) -> None:
    with pytest.raises(PaymentRuleError):
        batch_check(count, cents, [])
