"""Business-day arithmetic around weekends and holidays (pure, no database)."""

from datetime import date

import pytest

from cistern.core.domain.business_days import (
    add_business_days,
    business_days_between,
    is_business_day,
    next_business_day,
)

# Memorial Day 2026 is Monday May 25; Thanksgiving Thu Nov 26 + day after Fri Nov 27.
MEMORIAL_DAY = date(2026, 5, 25)
THANKSGIVING = {date(2026, 11, 26), date(2026, 11, 27)}
CLOSED = {MEMORIAL_DAY} | THANKSGIVING


@pytest.mark.parametrize(
    ("start", "count", "expected", "why"),
    [
        (date(2026, 5, 22), 1, date(2026, 5, 26), "Friday + 1 before a Monday holiday is Tuesday"),
        (date(2026, 5, 21), 1, date(2026, 5, 22), "Thursday + 1 is Friday"),
        (date(2026, 5, 23), 1, date(2026, 5, 26), "Saturday + 1 skips Sunday and the holiday"),
        (date(2026, 5, 22), 0, date(2026, 5, 22), "zero days is the start itself"),
        (date(2026, 5, 24), 0, date(2026, 5, 24), "zero days from a Sunday stays on Sunday"),
        (date(2026, 5, 18), 7, date(2026, 5, 28), "7 business days across the holiday weekend"),
        (date(2026, 5, 26), -1, date(2026, 5, 22), "Tuesday - 1 after a Monday holiday is Friday"),
        (date(2026, 11, 25), 1, date(2026, 11, 30), "Wednesday + 1 over Thanksgiving is Monday"),
        (date(2026, 11, 24), 2, date(2026, 11, 30), "Tuesday + 2 over Thanksgiving"),
        (date(2026, 12, 31), 1, date(2027, 1, 1), "no holidays given: New Year's Day counts"),
    ],
)
def test_add_business_days(start: date, count: int, expected: date, why: str) -> None:
    assert add_business_days(start, count, CLOSED) == expected, why


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (date(2026, 5, 22), True),
        (date(2026, 5, 23), False),
        (date(2026, 5, 24), False),
        (MEMORIAL_DAY, False),
        (date(2026, 5, 26), True),
    ],
)
def test_is_business_day(day: date, open_: bool) -> None:
    assert is_business_day(day, CLOSED) is open_


def test_next_business_day_skips_the_thanksgiving_weekend() -> None:
    assert next_business_day(date(2026, 11, 26), CLOSED) == date(2026, 11, 30)
    assert next_business_day(date(2026, 11, 30), CLOSED) == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (date(2026, 5, 22), date(2026, 5, 26), 1),
        (date(2026, 5, 18), date(2026, 5, 29), 8),
        (date(2026, 5, 26), date(2026, 5, 22), -1),
        (date(2026, 5, 22), date(2026, 5, 22), 0),
    ],
)
def test_business_days_between_counts_after_start_up_to_end(
    start: date, end: date, count: int
) -> None:
    assert business_days_between(start, end, CLOSED) == count


@pytest.mark.parametrize("count", [1, 5, 10, 23])
def test_adding_then_counting_agrees(count: int) -> None:
    start = date(2026, 11, 20)
    end = add_business_days(start, count, CLOSED)
    assert business_days_between(start, end, CLOSED) == count
