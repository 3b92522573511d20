"""The pure rules of a bill run: which totals are exceptions, and a bill's journal legs."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from cistern.billing.chunks import account_chunks
from cistern.billing.domain.checks import HIGH, LOW, ZERO_OR_NEGATIVE, total_checks
from cistern.billing.domain.entries import bill_legs
from cistern.ledger import codes
from cistern.ledger.domain.entries import Leg

CHECKS = [
    # total, recent totals, expected kinds
    (5000, [], []),
    (5000, [5000, 5200, 4800], []),
    (10000, [5000, 5000, 5000], []),  # exactly 2x is not above
    (10001, [5000, 5000, 5000], [HIGH]),
    (2500, [5000, 5000, 5000], []),  # exactly 0.5x is not below
    (2499, [5000, 5000, 5000], [LOW]),
    (0, [5000], [ZERO_OR_NEGATIVE]),
    (-120, [5000], [ZERO_OR_NEGATIVE]),
    (20000, [5000, 5000, 5000, 1], [HIGH]),  # only the latest three count
    (20000, [0, 0], []),  # zero history is no history
]


@pytest.mark.parametrize(("total", "recent", "kinds"), CHECKS)
def test_a_total_is_flagged_only_outside_the_usual_range(total, recent, kinds) -> None:
    found = total_checks(
        total_cents=total, recent_totals=recent, high_factor=D(2), low_factor=D("0.5")
    )
    assert [kind for kind, _ in found] == kinds


def test_a_bill_debits_each_service_receivable_and_credits_its_revenue() -> None:
    legs = bill_legs(account_id=7, lines=[("water", 2000), ("water", 2600), ("sewer", 1800)])
    assert legs == [
        Leg(codes.AR_WATER, 4600, 7, "water"),
        Leg(codes.REV_WATER, -4600),
        Leg(codes.AR_SEWER, 1800, 7, "sewer"),
        Leg(codes.REV_SEWER, -1800),
    ]
    assert sum(leg.amount_cents for leg in legs) == 0


def test_a_category_summing_to_zero_has_no_legs() -> None:
    legs = bill_legs(account_id=7, lines=[("water", 500), ("water", -500), ("sewer", 100)])
    assert [leg.account_code for leg in legs] == [codes.AR_SEWER, codes.REV_SEWER]


def test_a_bill_of_credits_posts_credits_to_the_receivable() -> None:
    legs = bill_legs(account_id=7, lines=[("water", -900)])
    assert legs == [Leg(codes.AR_WATER, -900, 7, "water"), Leg(codes.REV_WATER, 900)]


@pytest.mark.parametrize(
    ("ids", "size", "expected"),
    [
        ([], 3, []),
        ([5, 1, 9], 3, [(1, 9, 3)]),
        ([1, 2, 3, 4, 5, 6, 7], 3, [(1, 3, 3), (4, 6, 3), (7, 7, 1)]),
        ([10, 20, 30, 40], 2, [(10, 20, 2), (30, 40, 2)]),
    ],
)
def test_accounts_are_chunked_by_ascending_id(ids, size, expected) -> None:
    chunks = account_chunks(ids, size)
    assert [(c.first_account_id, c.last_account_id, c.size) for c in chunks] == expected
    assert [c.index for c in chunks] == list(range(len(expected)))


@pytest.mark.parametrize(
    ("count", "size", "workers", "sizes"),
    [
        (22_186, 5000, 2, [3697, 3698, 3698, 3697, 3698, 3698]),  # 5 chunks needed: 6, even
        (20_000, 5000, 2, [5000, 5000, 5000, 5000]),  # already a multiple of the workers
        (9_816, 5000, 2, [4908, 4908]),
        (3, 5000, 4, [1, 1, 1]),  # never an empty chunk
        (7, 3, 1, [3, 3, 1]),  # one process: cut at the size, as before
    ],
)
def test_chunks_for_several_processes_are_even_and_a_multiple_of_them(
    count, size, workers, sizes
) -> None:
    ids = list(range(100, 100 + count))
    chunks = account_chunks(ids, size, workers=workers)
    assert [c.size for c in chunks] == sizes
    assert [c.index for c in chunks] == list(range(len(sizes)))
    covered = [i for c in chunks for i in ids if c.first_account_id <= i <= c.last_account_id]
    assert covered == ids  # every account in exactly one chunk, in order
