"""The set-based writer's postings template gives the rows ``COPY`` must receive.

On PostgreSQL ``bulk_write`` sends an entry's postings as ``COPY`` text rendered from one
template per shape (its categories, in order). For generated entries — several categories,
two on one account, negative amounts, categories that ``COPY`` escapes (tab, newline,
backslash) or that ``%`` formatting could mangle (``%``, braces) — the template must give
exactly the rows written value by value with ``copy_field``, in the single path's leg
order: per category, receivable (the sum, the customer account, the category) then revenue
(the sum negated, no customer account, no category).
"""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from cistern.ledger import codes
from cistern.ledger.bulk_sql import copy_field
from cistern.ledger.bulk_text import shape_of
from cistern.ledger.bulk_write import posting_values, postings_template

CATEGORY = st.one_of(
    st.sampled_from(["water", "sewer", "late_fee", "a\tb", "c\\d", "e\nf", "g\rh", "50%", "{0}"]),
    st.text(min_size=1, max_size=8),
)
CODES = ["1200-AR", "1210-AR", "4000", "4010", "%s", "{x}"]
CENTS = st.integers(min_value=-(10**12), max_value=10**12).filter(bool)
IDS = st.integers(min_value=1, max_value=2**62)


def _rows_value_by_value(
    legs: list[tuple[int, int, int | None, str]], entry_id: int, day: str
) -> str:
    """The rows as ``COPY`` reads them, each value through ``copy_field``."""
    return "".join(
        "\t".join(copy_field(v) for v in (entry_id, account, cents, customer, category, day)) + "\n"
        for account, cents, customer, category in legs
    )


@given(
    categories=st.lists(CATEGORY, min_size=1, max_size=4, unique=True),
    data=st.data(),
    entry_id=IDS,
    customer=IDS,
    day=st.dates(date(1990, 1, 1), date(2100, 12, 31)),
)
def test_the_template_gives_each_leg_as_copy_reads_it(
    categories, data, entry_id, customer, day
) -> None:
    # given an entry of these categories (accounts drawn, two categories may share one)
    receivable = {c: data.draw(st.sampled_from(CODES[:2] + CODES[4:])) for c in categories}
    revenue = {c: data.draw(st.sampled_from(CODES[2:])) for c in categories}
    account_ids = {code: n for n, code in enumerate(CODES, start=7)}
    amounts = tuple(data.draw(st.lists(CENTS, min_size=len(categories), max_size=len(categories))))
    shape = shape_of("bill", tuple(categories), receivable, revenue)
    # when its postings are rendered from the shape's template
    text = postings_template(shape, account_ids).render(
        posting_values(entry_id, customer, day.isoformat(), amounts)
    )
    # then they are the legs, in order, written value by value
    legs: list[tuple[int, int, int | None, str]] = []
    for category, cents in zip(categories, amounts, strict=True):
        legs += [
            (account_ids[receivable[category]], cents, customer, category),
            (account_ids[revenue[category]], -cents, None, ""),
        ]
    assert text == _rows_value_by_value(legs, entry_id, day.isoformat())


def test_a_water_and_sewer_bill_renders_four_rows() -> None:
    # given the usual shape and account ids
    shape = shape_of(
        "bill", ("water", "sewer"), codes.RECEIVABLE_FOR_CATEGORY, codes.REVENUE_FOR_CATEGORY
    )
    ids = {codes.AR_WATER: 1, codes.REV_WATER: 2, codes.AR_SEWER: 3, codes.REV_SEWER: 4}
    # when entry 10 of customer account 20 renders
    text = postings_template(shape, ids).render(posting_values(10, 20, "2025-02-03", (1250, -8)))
    # then the rows are the receivable and revenue legs of each category, in order
    assert text == (
        "10\t1\t1250\t20\twater\t2025-02-03\n"
        "10\t2\t-1250\t\\N\t\t2025-02-03\n"
        "10\t3\t-8\t20\tsewer\t2025-02-03\n"
        "10\t4\t8\t\\N\t\t2025-02-03\n"
    )
