"""Entry validation and the content hash that tells a replay from a reused key."""

from datetime import date

import pytest

from cistern.ledger.domain import entries as E
from cistern.ledger.domain.entries import EntryRejected, Leg, entry_content_hash, validate_legs

KNOWN = {"1010", "1100-AR-WATER", "4100", "OLD"}
RECEIVABLE = {"1100-AR-WATER"}


def check(legs: list[Leg]) -> None:
    validate_legs(legs, known_codes=KNOWN, inactive_codes={"OLD"}, receivable_codes=RECEIVABLE)


def test_a_balanced_bill_is_valid() -> None:
    check([Leg("1100-AR-WATER", 4200, 7, "water"), Leg("4100", -4200)])


@pytest.mark.parametrize(
    ("legs", "message_start"),
    [
        ([], E.ENTRY_EMPTY),
        ([Leg("1010", 100)], E.ENTRY_EMPTY),
        ([Leg("1010", 100), Leg("4100", -99)], E.ENTRY_UNBALANCED.format(difference=1)),
        ([Leg("1010", 0), Leg("4100", 0)], E.LEG_ZERO.format(index=1)),
        ([Leg("9999", 100), Leg("4100", -100)], E.LEG_UNKNOWN_ACCOUNT.format(code="9999")),
        ([Leg("OLD", 100), Leg("4100", -100)], E.LEG_INACTIVE_ACCOUNT.format(code="OLD")),
        (
            [Leg("1100-AR-WATER", 100, None, "water"), Leg("4100", -100)],
            E.LEG_NEEDS_CUSTOMER.format(index=1, code="1100-AR-WATER"),
        ),
        (
            [Leg("4100", -100), Leg("1100-AR-WATER", 100, 7, "")],
            E.LEG_NEEDS_CATEGORY.format(index=2, code="1100-AR-WATER"),
        ),
        (
            [Leg("1100-AR-WATER", 100, 7, "x" * 31), Leg("4100", -100)],
            E.LEG_CATEGORY_TOO_LONG.format(index=1),
        ),
    ],
)
def test_an_invalid_entry_is_refused_with_a_message_that_says_why(
    legs: list[Leg], message_start: str
) -> None:
    with pytest.raises(EntryRejected) as refused:
        check(legs)
    assert refused.value.message == message_start


def test_a_float_amount_is_never_accepted() -> None:
    with pytest.raises(TypeError):
        check([Leg("1010", 1.5), Leg("4100", -1.5)])  # type: ignore[arg-type]


BASE = {
    "legs": [Leg("1100-AR-WATER", 4200, 7, "water"), Leg("4100", -4200)],
    "effective_date": date(2025, 3, 1),
    "source": "bill",
    "source_ref": "B-1",
    "memo": "March bill",
}


def test_the_hash_ignores_the_order_of_the_legs() -> None:
    swapped = {**BASE, "legs": list(reversed(BASE["legs"]))}
    assert entry_content_hash(**BASE) == entry_content_hash(**swapped)


@pytest.mark.parametrize(
    "change",
    [
        {"legs": [Leg("1100-AR-WATER", 4201, 7, "water"), Leg("4100", -4201)]},
        {"legs": [Leg("1100-AR-WATER", 4200, 8, "water"), Leg("4100", -4200)]},
        {"legs": [Leg("1100-AR-WATER", 4200, 7, "sewer"), Leg("4100", -4200)]},
        {"effective_date": date(2025, 3, 2)},
        {"source": "adjustment"},
        {"source_ref": "B-2"},
        {"memo": "March bill (corrected)"},
    ],
)
def test_any_change_of_content_changes_the_hash(change: dict[str, object]) -> None:
    assert entry_content_hash(**BASE) != entry_content_hash(**{**BASE, **change})


def test_the_hash_is_a_stable_sha256_hex_digest() -> None:
    digest = entry_content_hash(**BASE)
    assert len(digest) == 64
    assert digest == entry_content_hash(**dict(BASE))


def test_a_reversal_negates_every_leg_and_keeps_its_customer_and_category() -> None:
    legs = E.reversal_legs(BASE["legs"])  # type: ignore[arg-type]
    assert legs == [Leg("1100-AR-WATER", -4200, 7, "water"), Leg("4100", 4200)]
