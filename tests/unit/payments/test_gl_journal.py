"""The daily GL journal: summed per fund / department / account, balanced or refused."""

from __future__ import annotations

from datetime import date

import pytest

from cistern.payments.domain.gl_journal import (
    MSG_NO_ACTIVITY,
    GLJournalRefused,
    GLPosting,
    dollars,
    gl_journal_csv,
    gl_journal_summarize,
)

DAY = date(2025, 3, 3)


def posting(code: str, cents: int, fund="500", dept="40", account="1010") -> GLPosting:
    return GLPosting(code, fund, dept, account, cents)


def test_postings_to_the_same_gl_coordinates_are_summed_as_debits_and_credits() -> None:
    # given two payments and a deposit transfer on the cash clearing line
    postings = [
        posting("1010-CASH", 5000), posting("1010-CASH", 2500), posting("1010-CASH", -1000),
        posting("1100-AR", -7500, account="1100"), posting("1020-BANK", 1000, account="1020"),
    ]  # fmt: skip
    # when the day is summarized
    journal = gl_journal_summarize(day=DAY, postings=postings)
    # then each GL line carries its gross debits and credits, in fund/department/account order
    assert [(ln.account, ln.debit_cents, ln.credit_cents) for ln in journal.lines] == [
        ("1010", 7500, 1000), ("1020", 1000, 0), ("1100", 0, 7500),
    ]  # fmt: skip
    assert journal.debit_total_cents == journal.credit_total_cents == 8500


def test_two_ledger_accounts_mapped_to_one_gl_account_make_one_line() -> None:
    postings = [posting("4100-REV-WATER", -300, account="4000"),
                posting("4110-REV-SEWER", -200, account="4000"), posting("1010", 500)]  # fmt: skip
    journal = gl_journal_summarize(day=DAY, postings=postings)
    assert [(ln.account, ln.credit_cents) for ln in journal.lines] == [("1010", 0), ("4000", 500)]


def test_an_unbalanced_day_is_refused_with_the_difference() -> None:
    with pytest.raises(GLJournalRefused) as refused:
        gl_journal_summarize(
            day=DAY, postings=[posting("A", 1000), posting("B", -999, account="2")]
        )
    assert refused.value.code == "unbalanced"
    assert "differ by 0.01" in refused.value.message and "2025-03-03" in refused.value.message


def test_activity_on_a_ledger_account_without_gl_codes_is_refused_naming_it() -> None:
    postings = [posting("1010-CASH", 100), posting("4100-REV-WATER", -100, fund="", account="")]
    with pytest.raises(GLJournalRefused) as refused:
        gl_journal_summarize(day=DAY, postings=postings)
    assert refused.value.code == "unmapped" and "4100-REV-WATER" in refused.value.message
    assert "1010-CASH" not in refused.value.message


def test_a_blank_department_is_allowed() -> None:
    journal = gl_journal_summarize(
        day=DAY, postings=[posting("A", 100, dept=""), posting("B", -100, dept="", account="4000")]
    )
    assert {ln.department for ln in journal.lines} == {""}


def test_a_day_without_activity_is_refused() -> None:
    with pytest.raises(GLJournalRefused) as refused:
        gl_journal_summarize(day=DAY, postings=[])
    assert refused.value.message == MSG_NO_ACTIVITY.format(day="2025-03-03")


def test_the_csv_has_a_header_detail_rows_and_a_control_total_trailer() -> None:
    journal = gl_journal_summarize(
        day=DAY, postings=[posting("A", 123456), posting("B", -123456, account="4000")]
    )
    lines = gl_journal_csv(journal).split("\r\n")
    assert lines[0] == "record_type,journal_date,fund,department,account,debit,credit,description"
    assert lines[1] == "D,2025-03-03,500,40,1010,1234.56,0.00,Cistern daily journal 2025-03-03"
    assert lines[2] == "D,2025-03-03,500,40,4000,0.00,1234.56,Cistern daily journal 2025-03-03"
    assert lines[3] == "T,2025-03-03,,,,1234.56,1234.56,2 lines"
    assert lines[4] == ""


def test_the_same_postings_in_another_order_give_the_identical_file() -> None:
    postings = [posting("A", 700), posting("B", -500, account="2"), posting("C", -200, fund="9")]
    first = gl_journal_csv(gl_journal_summarize(day=DAY, postings=postings))
    again = gl_journal_csv(gl_journal_summarize(day=DAY, postings=list(reversed(postings))))
    assert first == again


@pytest.mark.parametrize(
    ("cents", "text"),
    [(0, "0.00"), (5, "0.05"), (100, "1.00"), (123456, "1234.56"), (-250, "-2.50")],
)
def test_dollars_are_written_exactly_from_cents(cents: int, text: str) -> None:
    assert dollars(cents) == text
