"""The daily journal for the district's general ledger: the day's postings summed per GL
fund / department / account, debits and credits, balanced.

Rules (reference/payments.md "The CIS is a subledger"; docs/user-guide/finance-day-close.md):
- every ledger account with activity on the day must carry a GL fund and GL account (the
  department may be blank); otherwise the day is refused, naming the ledger accounts;
- each GL line carries the day's gross debits and gross credits of the ledger accounts that
  map to it (a line may have both); lines are ordered by fund, department, account;
- total debits must equal total credits, or the day is refused with the difference;
- the file is a pure function of the postings: exporting the same day twice gives the same
  bytes (no generation time inside it).
Amounts are integer cents; the CSV writes them as dollars with two decimals.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from cistern.payments.domain.errors import PaymentRuleError

MSG_NO_ACTIVITY = "There is no ledger activity on {day}; there is nothing to export."
MSG_UNMAPPED = (
    "These ledger accounts had activity on {day} but no GL fund or GL account: {codes}. "
    "Set their GL coordinates in the chart of accounts, then export again."
)
MSG_UNBALANCED = (
    "The journal for {day} does not balance: debits {debits} and credits {credits} differ by "
    "{difference}. Run the ledger invariant check and correct the entries before exporting."
)
CSV_HEADER = (
    "record_type",
    "journal_date",
    "fund",
    "department",
    "account",
    "debit",
    "credit",
    "description",
)
DETAIL, TRAILER = "D", "T"


class GLJournalRefused(PaymentRuleError):
    """The day cannot be exported; the message says why and what to do."""


@dataclass(frozen=True)
class GLPosting:
    """One posting as the export sees it. ``amount_cents`` > 0 debit, < 0 credit."""

    ledger_code: str
    fund: str
    department: str
    account: str
    amount_cents: int


@dataclass(frozen=True)
class GLLine:
    fund: str
    department: str
    account: str
    debit_cents: int
    credit_cents: int


@dataclass(frozen=True)
class GLJournal:
    day: date
    lines: tuple[GLLine, ...]

    @property
    def debit_total_cents(self) -> int:
        return sum(line.debit_cents for line in self.lines)

    @property
    def credit_total_cents(self) -> int:
        return sum(line.credit_cents for line in self.lines)


def dollars(cents: int) -> str:
    """Integer cents as a plain dollar amount: 123456 -> "1234.56" (no float involved)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def gl_journal_summarize(*, day: date, postings: Iterable[GLPosting]) -> GLJournal:
    """Sum the day's postings per GL coordinate; refuse an unmapped or unbalanced day."""
    postings = list(postings)
    if not postings:
        raise GLJournalRefused("no_activity", MSG_NO_ACTIVITY.format(day=day.isoformat()))
    unmapped = sorted({p.ledger_code for p in postings if not (p.fund and p.account)})
    if unmapped:
        codes = ", ".join(unmapped)
        raise GLJournalRefused("unmapped", MSG_UNMAPPED.format(day=day.isoformat(), codes=codes))
    debits: dict[tuple[str, str, str], int] = defaultdict(int)
    credits: dict[tuple[str, str, str], int] = defaultdict(int)
    for p in postings:
        key = (p.fund, p.department, p.account)
        if p.amount_cents > 0:
            debits[key] += p.amount_cents
        else:
            credits[key] += -p.amount_cents
    keys = sorted(set(debits) | set(credits))
    lines = tuple(GLLine(*key, debits.get(key, 0), credits.get(key, 0)) for key in keys)
    journal = GLJournal(day, lines)
    difference = journal.debit_total_cents - journal.credit_total_cents
    if difference:
        raise GLJournalRefused(
            "unbalanced",
            MSG_UNBALANCED.format(
                day=day.isoformat(),
                debits=dollars(journal.debit_total_cents),
                credits=dollars(journal.credit_total_cents),
                difference=dollars(difference),
            ),
        )
    return journal


def gl_journal_csv(journal: GLJournal) -> str:
    """The export file: a header, one ``D`` row per GL line, one ``T`` control-total row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    day = journal.day.isoformat()
    description = f"Cistern daily journal {day}"
    for line in journal.lines:
        writer.writerow(
            [
                DETAIL,
                day,
                line.fund,
                line.department,
                line.account,
                dollars(line.debit_cents),
                dollars(line.credit_cents),
                description,
            ]
        )
    writer.writerow(
        [
            TRAILER,
            day,
            "",
            "",
            "",
            dollars(journal.debit_total_cents),
            dollars(journal.credit_total_cents),
            f"{len(journal.lines)} lines",
        ]
    )
    return out.getvalue()
