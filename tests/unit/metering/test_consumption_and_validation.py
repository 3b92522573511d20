"""Read validation: consumption, rollover and the exception checks, as tables of cases."""

from datetime import date
from decimal import Decimal

import pytest

from cistern.metering.domain.consumption import Movement, consumption_between
from cistern.metering.domain.validation import ReadCheck, ReadException, read_validate

D = Decimal


@pytest.mark.parametrize(
    ("previous", "current", "dials", "multiplier", "movement", "volume"),
    [
        (1000, 1012, 6, D(1), Movement.FORWARD, D(12)),
        (1000, 1000, 6, D(1), Movement.FORWARD, D(0)),
        (1000, 1012, 6, D(10), Movement.FORWARD, D(120)),
        (999_990, 15, 6, D(1), Movement.ROLLOVER, D(25)),  # wrapped past 999999
        (9_990, 10, 4, D(1), Movement.ROLLOVER, D(20)),
        (5_000, 4_990, 4, D(1), Movement.NEGATIVE, D(-10)),  # a drop, not a wrap
        (500_000, 10, 6, D(1), Movement.NEGATIVE, D(-499_990)),  # wrap would be implausible
    ],
)
def test_consumption_between_two_reads(previous, current, dials, multiplier, movement, volume):
    use = consumption_between(
        previous_raw=previous, current_raw=current, dials=dials, multiplier=multiplier
    )
    assert use.movement is movement
    assert use.volume == volume


def test_a_read_that_does_not_fit_the_register_is_refused():
    with pytest.raises(ValueError, match="does not fit a 4-dial register"):
        consumption_between(previous_raw=10, current_raw=10_000, dials=4, multiplier=D(1))


def check(**overrides):
    base = {
        "read_on": date(2026, 11, 2),
        "raw_value": 1020,
        "dials": 6,
        "multiplier": D(1),
        "installed_on": date(2020, 1, 1),
        "removed_on": None,
        "previous_read_on": date(2026, 10, 3),
        "previous_raw": 1000,
        "account_active": True,
        "baseline_per_day": D("0.6"),  # 18 CCF over 30 days
    }
    base.update(overrides)
    return ReadCheck(**base)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, ()),  # 20 CCF in 30 days against 18: normal
        ({"raw_value": 1000}, (ReadException.ZERO,)),
        ({"raw_value": 1000, "account_active": False}, ()),
        ({"raw_value": 990}, (ReadException.NEGATIVE,)),
        ({"previous_raw": 999_995, "raw_value": 14}, (ReadException.ROLLOVER,)),
        ({"raw_value": 1046}, (ReadException.HIGH,)),  # 46/30 = 1.53/day > 2.5 x 0.6 = 1.5
        ({"raw_value": 1045}, ()),  # 1.5/day is not above 1.5
        ({"raw_value": 1004}, (ReadException.LOW,)),  # 0.133/day < 0.15
        ({"raw_value": 1005}, ()),  # 0.1667/day is not below 0.15
        ({"baseline_per_day": None, "raw_value": 1500}, ()),  # no history, no high/low
        ({"baseline_per_day": D("0.01"), "raw_value": 1500}, ()),  # tiny baseline ignored
        (
            {"read_on": date(2019, 12, 31), "previous_raw": None, "previous_read_on": None},
            (ReadException.BEFORE_INSTALL,),
        ),
        ({"removed_on": date(2026, 11, 1)}, (ReadException.AFTER_REMOVAL,)),
        ({"duplicate": True}, (ReadException.DUPLICATE,)),
        ({"change_out_unpaired": True}, (ReadException.CHANGE_OUT,)),
    ],
)
def test_read_validation_holds_exactly_the_expected_exceptions(overrides, expected):
    verdict = read_validate(check(**overrides))
    assert verdict.exceptions == expected
    assert verdict.held is bool(expected)


def test_a_first_read_has_no_consumption():
    verdict = read_validate(check(previous_raw=None, previous_read_on=None))
    assert verdict.volume is None
    assert verdict.exceptions == ()


def test_validation_reports_use_and_days_since_the_previous_read():
    verdict = read_validate(check())
    assert verdict.volume == D(20)
    assert verdict.days == 30
