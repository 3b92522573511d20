"""Sample objects for the URL walk (tests/integration/staff/test_route_permissions.py).

Each function takes the walk's ``World`` and returns the id a billing or rates route needs,
creating a small calculated bill run with one bill and one exception on first use.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cistern.staff.roles import Role
from tests.factories.staff import staff_user


def _run(world: Any) -> Any:
    from cistern.billing.models import BillRun
    from cistern.billing.services import bill_run_calculate, bill_run_create
    from tests.integration.billing import makers

    existing = BillRun.objects.order_by("pk").first()
    if existing is not None:
        return existing
    if not makers.RateSchedule.objects.exists():
        makers.rate_schedules(staff_user(Role.MANAGER))
    cycle = makers.cycle("RW")
    acct = makers.account(billing_cycle=cycle)
    makers.read(acct, date(2025, 1, 31), 9, review="held")
    clerk = staff_user(Role.CSR_III)
    run = bill_run_create(
        cycle=cycle, period_start=date(2025, 1, 1), period_end=date(2025, 1, 31),
        bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24), actor=clerk,
    )  # fmt: skip
    return bill_run_calculate(run=run, actor=clerk)


def run_id(world: Any) -> int:
    return _run(world).pk


def bill_id(world: Any) -> int:
    return _run(world).bills.values_list("pk", flat=True).first()


def exception_id(world: Any) -> int:
    return _run(world).exceptions.values_list("pk", flat=True).first()


def schedule_id(world: Any) -> int:
    _run(world)
    from cistern.rates.models import RateSchedule

    return RateSchedule.objects.values_list("pk", flat=True).first()


def version_id(world: Any) -> int:
    _run(world)
    from cistern.rates.models import RateVersion

    return RateVersion.objects.values_list("pk", flat=True).first()


# For PARAM_SAMPLES: parameter name -> sample function.
PARAM_SAMPLES = {
    "run_id": run_id,
    "bill_id": bill_id,
    "exception_id": exception_id,
    "schedule_id": schedule_id,
    "version_id": version_id,
    "step": lambda world: "calculate",  # POST-only: GET answers 405 after the permission check
}
