"""Winter-average sewer caps: recomputed yearly from posted winter bills, read per bill."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cistern.billing.models import Bill
from cistern.core.errors import ServiceError
from cistern.core.models import AuditEvent
from cistern.rates.models import SewerCap
from cistern.rates.sewer_caps import cap_year_on, sewer_caps_in_force, sewer_caps_recompute
from tests.integration.billing import makers

pytestmark = pytest.mark.django_db


def _bill(account, start: date, end: date, usage: str, *, status="posted", unit="ccf") -> Bill:
    return Bill.objects.create(
        account=account, period_start=start, period_end=end, bill_date=end, due_date=end,
        status=status, usage=Decimal(usage), usage_unit=unit,
    )  # fmt: skip


MONTHS = [  # (first day, last day) of monthly bills from October 2025 to April 2026
    (date(2025, 10, 1), date(2025, 10, 31)), (date(2025, 11, 1), date(2025, 11, 30)),
    (date(2025, 12, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 1, 31)),
    (date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 3, 1), date(2026, 3, 31)),
    (date(2026, 4, 1), date(2026, 4, 30)),
]  # fmt: skip


@pytest.fixture
def homes():
    cycle = makers.cycle()
    first, second, summer_only = (makers.account(billing_cycle=cycle) for _ in range(3))
    for (start, end), usage in zip(MONTHS, ["20", "7", "6", "8", "6", "9", "15"], strict=True):
        _bill(first, start, end, usage)  # winter Nov-Mar: 7+6+8+6+9 = 36 / 5 = 7.2 -> 7
    for (start, end), usage in zip(MONTHS[1:6], ["5", "5", "6", "5", "5"], strict=True):
        _bill(second, start, end, usage)  # 26 / 5 = 5.2 -> 5
    _bill(second, date(2026, 1, 1), date(2026, 1, 31), "90", status="cancelled")
    _bill(summer_only, date(2025, 7, 1), date(2025, 7, 31), "30")
    return first, second, summer_only


def test_each_account_gets_its_winter_average_rounded_down(homes) -> None:
    first, second, _summer_only = homes
    run = sewer_caps_recompute(year=2026, actor=None)
    caps = dict(SewerCap.objects.values_list("account_id", "cap_ccf"))
    assert caps == {first.pk: Decimal(7), second.pk: Decimal(5)}  # the cancelled bill is not used
    assert SewerCap.objects.get(account=first).winter_bills == 5
    assert (run.accounts_capped, run.accounts_without_winter) == (2, 1)
    event = AuditEvent.objects.get(action="rates.sewer_caps.recompute")
    assert event.after["accounts_capped"] == 2 and event.after["year"] == 2026


def test_december_to_february_averages_only_those_months(homes) -> None:
    first, _second, _summer = homes
    sewer_caps_recompute(year=2026, winter="dec-feb", actor=None)
    assert SewerCap.objects.get(account=first).cap_ccf == Decimal(6)  # (6+8+6)/3


def test_usage_billed_in_gallons_is_averaged_in_ccf() -> None:
    home = makers.account(billing_cycle=makers.cycle())
    _bill(home, date(2026, 1, 1), date(2026, 1, 31), "7480", unit="gal")  # 10 CCF
    _bill(home, date(2026, 2, 1), date(2026, 2, 28), "3740", unit="gal")  # 5 CCF
    sewer_caps_recompute(year=2026, actor=None)
    assert SewerCap.objects.get(account=home).cap_ccf == Decimal(7)  # 7.5 rounded down


def test_running_again_replaces_the_years_caps_and_keeps_earlier_years(homes) -> None:
    first, _second, _summer = homes
    earlier = sewer_caps_recompute(year=2025, actor=None)  # winter 2024-25 had no bills
    SewerCap.objects.create(account=first, year=2025, cap_ccf=9, run=earlier)  # as if it had
    sewer_caps_recompute(year=2026, actor=None)
    march = Bill.objects.get(account=first, period_end=date(2026, 3, 31))
    march.status = "cancelled"
    march.save()
    _bill(first, date(2026, 3, 1), date(2026, 3, 31), "39")  # the corrected March bill
    sewer_caps_recompute(year=2026, actor=None)
    assert list(SewerCap.objects.filter(account=first).values_list("year", "cap_ccf")) == [
        (2026, Decimal(13)),  # (7+6+8+6+39)/5 = 13.2
        (2025, Decimal(9)),
    ]
    assert AuditEvent.objects.filter(action="rates.sewer_caps.recompute").count() == 3


def test_the_cap_in_force_changes_on_july_first(homes) -> None:
    first, second, summer_only = homes
    sewer_caps_recompute(year=2026, actor=None)
    ids = [first.pk, second.pk, summer_only.pk]
    assert sewer_caps_in_force(account_ids=ids, on=date(2026, 6, 30)) == {}
    assert sewer_caps_in_force(account_ids=ids, on=date(2026, 7, 1)) == {
        first.pk: Decimal(7),
        second.pk: Decimal(5),
    }
    assert sewer_caps_in_force(account_ids=ids, on=date(2027, 9, 1))[first.pk] == Decimal(7)
    assert (cap_year_on(date(2027, 6, 30)), cap_year_on(date(2027, 7, 1))) == (2026, 2027)


def test_the_command_recomputes_and_says_what_it_did(homes) -> None:
    out = StringIO()
    call_command("sewer-caps", "--year", "2026", stdout=out)
    assert "2 account(s) capped" in out.getvalue()
    assert "1 sewer account(s) without a winter bill" in out.getvalue()
    assert SewerCap.objects.count() == 2


def test_a_year_out_of_range_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(ServiceError, match="Enter the year"):
        sewer_caps_recompute(year=26, actor=None)
    with pytest.raises(CommandError, match="Enter the year"):
        call_command("sewer_caps", "--year", "99")
    assert not AuditEvent.objects.filter(action="rates.sewer_caps.recompute").exists()
