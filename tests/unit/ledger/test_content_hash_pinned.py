"""The content hash is stored with every entry (I5): its value may never change.

Entries already in a database are compared with a replay by this hash, so a faster way of
computing it must give the very same digests. The digests below were computed with the
original implementation (kept here as ``_reference_hash``) before it was made faster, and
a property test compares the two on arbitrary legs, codes and text.
"""

import hashlib
import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cistern.ledger.domain.entries import Leg, entry_content_hash

PINNED = [
    (
        dict(
            legs=(
                Leg("1010-CASH", 12345),
                Leg("1200-AR-WATER", -10000, 42, "water"),
                Leg("1210-AR-SEWER", -2345, 42, "sewer"),
            ),
            effective_date=date(2026, 3, 14),
            source="payment",
            source_ref="LB7",
            memo="Check payment, Lockbox",
        ),
        "392a200e18408e7ffc5ea3704d4b3cfd68475b0096e2a5830d39217b9d536e8f",
    ),
    (
        dict(
            legs=(Leg("4000-REV", -500), Leg("1200-AR-WATER", 500, 7, "late_fee")),
            effective_date=date(2025, 1, 31),
            source="fee",
            source_ref="",
            memo="Cargo por pago tardío — “enero”",
        ),
        "a39ea6274f653e4ffd59bff36ca1d55f670aec44a127990315f1890c6fdd8438",
    ),
    (
        dict(
            legs=(
                Leg("A", -1, None, ""),
                Leg("A", -1, 3, "x"),
                Leg("A", 2, None, ""),
                Leg("B", -10, 10, "b"),
                Leg("B", 10, 9, "b"),
                Leg("A", -1, 3, ""),
            ),
            effective_date=date(2024, 2, 29),
            source="adj",
            source_ref='R"1\\',
            memo="tab\there\nnl",
        ),
        "4ebb02ee375edf961d99e1fb4ec208a27771c015d3af6e9ba73d5f58a08b4d59",
    ),
    (
        # Legs sort by their JSON text, so 117 comes before 3: the order must not change.
        dict(
            legs=(Leg("X", -100), Leg("X", -20), Leg("X", 3), Leg("X", 117)),
            effective_date=date(2026, 12, 1),
            source="bill",
            source_ref="B-1",
            memo="",
        ),
        "ab1fd02aabd9d1ff9b683943b07dfa728a2726037a2af5c79d90d3886990f11e",
    ),
]


@pytest.mark.parametrize(("content", "digest"), PINNED)
def test_the_hash_of_a_known_entry_never_changes(content: dict, digest: str) -> None:
    assert entry_content_hash(**content) == digest


def _reference_hash(*, legs, effective_date, source, source_ref, memo) -> str:  # type: ignore[no-untyped-def]
    """The original implementation, verbatim: what every stored hash was computed with."""
    canonical_legs = sorted(
        (leg.as_json() for leg in legs), key=lambda d: json.dumps(d, sort_keys=True)
    )
    document = {
        "legs": canonical_legs,
        "effective_date": effective_date.isoformat(),
        "source": source,
        "source_ref": source_ref,
        "memo": memo,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Text that exercises JSON escaping and sort order: quotes, backslashes, spaces and "!"
# (which sort before the closing quote), control characters and non-ASCII letters.
_TEXT = st.text(alphabet=st.sampled_from(list('AB1 !"\\\t\n-_éü€𝄞')), max_size=6)
_LEGS = st.lists(
    st.builds(
        Leg,
        account_code=_TEXT,
        amount_cents=st.integers(min_value=-(10**12), max_value=10**12),
        customer_account_id=st.none() | st.integers(min_value=0, max_value=10**9),
        charge_category=_TEXT,
    ),
    max_size=8,
)


@settings(max_examples=400)
@given(
    legs=_LEGS,
    effective_date=st.dates(),
    source=_TEXT,
    source_ref=_TEXT,
    memo=st.text(max_size=20),
)
def test_the_hash_equals_the_original_implementation(
    legs: list[Leg], effective_date: date, source: str, source_ref: str, memo: str
) -> None:
    content = dict(
        legs=tuple(legs), effective_date=effective_date, source=source, source_ref=source_ref,
        memo=memo,
    )  # fmt: skip
    assert entry_content_hash(**content) == _reference_hash(**content)
