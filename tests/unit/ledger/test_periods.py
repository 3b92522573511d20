"""Periods are calendar months; a date is closed up to the end of the latest closed one."""

from datetime import date

import pytest

from cistern.ledger.domain.periods import (
    is_closed,
    month_end,
    month_start,
    next_month_start,
    previous_month_start,
)


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2025, 1, 15), date(2025, 1, 1), date(2025, 1, 31)),
        (date(2024, 2, 29), date(2024, 2, 1), date(2024, 2, 29)),
        (date(2025, 2, 1), date(2025, 2, 1), date(2025, 2, 28)),
        (date(2025, 12, 31), date(2025, 12, 1), date(2025, 12, 31)),
    ],
)
def test_a_date_belongs_to_its_calendar_month(day: date, start: date, end: date) -> None:
    assert (month_start(day), month_end(day)) == (start, end)


def test_months_step_across_the_year_end() -> None:
    assert next_month_start(date(2025, 12, 9)) == date(2026, 1, 1)
    assert previous_month_start(date(2026, 1, 9)) == date(2025, 12, 1)


@pytest.mark.parametrize(
    ("day", "closed_end", "closed"),
    [
        (date(2025, 1, 31), date(2025, 1, 31), True),
        (date(2024, 6, 1), date(2025, 1, 31), True),
        (date(2025, 2, 1), date(2025, 1, 31), False),
        (date(2025, 2, 1), None, False),
    ],
)
def test_a_date_is_closed_on_or_before_the_latest_closed_period(
    day: date, closed_end: date | None, closed: bool
) -> None:
    assert is_closed(day=day, latest_closed_end=closed_end) is closed
