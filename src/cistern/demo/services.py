"""Build the demo district: ``demo_district_build`` is what ``cistern demo`` calls.

The whole district is written in one transaction: either all of it is there or none of it.
It refuses a database that already has accounts (a demo never mixes with real data).

With ``history_months`` (default 24) the district also has a past: the demo rate book
(``demo.rates``), a read per meter per billing period (``demo.reads``), every past period
billed and posted by real bill runs and paid through lockbox files (``demo.history``), and
the current period's reads waiting, unbilled, with a few read exceptions for review. With
0 it is the district alone, plus the current period's reads (and the read before them).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.core.models import CalendarDay, DistrictSettings, Sequence
from cistern.core.numbering import ACCOUNT_SEQUENCE
from cistern.core.services import calendar_seed_holidays
from cistern.customers.models import (
    Account,
    AccountFlag,
    AccountService,
    ContactLogEntry,
    Customer,
    CustomerEmail,
    CustomerPhone,
    MailingAddress,
    Premise,
    SecondaryBillTo,
)
from cistern.demo import opening_balances
from cistern.demo.cast import CAST, PASSWORD
from cistern.demo.domain import places
from cistern.demo.domain.change_outs import change_outs_plan
from cistern.demo.domain.district import district_plan
from cistern.demo.domain.periods import cycle_periods, months_back
from cistern.demo.domain.plan import DistrictPlan
from cistern.demo.history import history_write
from cistern.demo.persist import (
    Ids,
    bulk_session,
    change_outs_write,
    customers_write,
    cycles_and_routes_write,
    planner_statistics_refresh,
    premises_write,
    sequences_reset,
)
from cistern.demo.persist_accounts import account_sequence_advance, accounts_write
from cistern.demo.rates import rate_book_write
from cistern.demo.reads import reads_write
from cistern.demo.search_documents import search_documents_write
from cistern.metering.models import Meter, MeterInstallation
from cistern.staff.models import User
from cistern.staff.roles import Role

NOT_EMPTY = (
    "This database already has accounts, so no demo district was built. "
    "Use a new database (or `cistern demo --if-empty` to skip quietly)."
)
TOO_FEW_ACCOUNTS = "Ask for at least one account (--accounts 1 or more)."
MAX_HISTORY_MONTHS = 60
BAD_HISTORY = f"Ask for 0 to {MAX_HISTORY_MONTHS} months of history (--history-months)."
CHANGE_OUT_MIN_MONTHS = 3
BILLING_USER, REVIEW_USER = "frank", "dev"  # the demo's finance clerk and senior CSR
CSR_ROLES = (Role.CSR_I, Role.CSR_II, Role.CSR_III, Role.CSR_SENIOR)
WRITTEN_MODELS = (
    Customer,
    CustomerPhone,
    CustomerEmail,
    MailingAddress,
    Premise,
    Meter,
    MeterInstallation,
    Account,
    AccountService,
    AccountFlag,
    SecondaryBillTo,
    ContactLogEntry,
)


@dataclass
class DemoBuild:
    """What a build wrote: row counts and seconds per step."""

    accounts: int
    seed: int
    history_months: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    parts: dict[str, float] = field(default_factory=dict)  # within a step, not added again

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def demo_district_build(
    *,
    accounts: int,
    seed: int,
    today: date,
    history_months: int = 24,
    log: Callable[[str], None] = lambda _: None,
) -> DemoBuild:
    """Build a demo district of exactly ``accounts`` accounts from ``seed``, with
    ``history_months`` of reads, bills and payments before the current period."""
    if accounts < 1:
        raise ServiceError(TOO_FEW_ACCOUNTS, field="accounts")
    if not 0 <= history_months <= MAX_HISTORY_MONTHS:
        raise ServiceError(BAD_HISTORY, field="history_months")
    build = DemoBuild(accounts=accounts, seed=seed, history_months=history_months)
    step = _stepper(build, log)
    with transaction.atomic(), bulk_session():
        if Account.objects.exists():
            raise ServiceError(NOT_EMPTY)
        staff_ids = step("staff", demo_staff_ensure)
        settings = step("district", _district_settings_write)
        first = _first_sequence_number()
        plan = step(
            "plan",
            lambda: district_plan(
                accounts=accounts,
                seed=seed,
                today=today,
                first_number=first,
                staff_usernames=tuple(CAST[r][0] for r in CSR_ROLES),
            ),
        )
        zone = ZoneInfo(settings.time_zone)
        _write(plan, build, step, staff_ids=staff_ids, zone=zone, first=first, log=log)
        _audit(build, settings)
        committing = time.perf_counter()
    # PostgreSQL checks deferred constraints (foreign keys, balanced entries) at commit.
    build.seconds["commit"] = time.perf_counter() - committing
    log(f"commit: {build.seconds['commit']:.1f}s")
    step("planner statistics", planner_statistics_refresh)
    return build


def _write(
    plan: DistrictPlan,
    build: DemoBuild,
    step: Callable[..., Any],
    *,
    staff_ids: dict[str, int],
    zone: ZoneInfo,
    first: int,
    log: Callable[[str], None],
) -> None:
    ids = Ids()
    step("cycles and routes", lambda: cycles_and_routes_write(plan, ids))
    build.counts |= step("customers", lambda: customers_write(plan, ids, zone))
    if build.history_months >= CHANGE_OUT_MIN_MONTHS:  # halfway, ten days into a period
        day = months_back(plan.today, build.history_months // 2 + 1).replace(day=11)
        change_outs_plan(plan, day=day)
    build.counts |= step(
        "premises and meters",
        lambda: premises_write(plan, ids) | change_outs_write(plan, ids),
    )
    build.counts |= step(
        "accounts", lambda: accounts_write(plan, ids, staff_ids=staff_ids, zone=zone)
    )
    step("sequences", lambda: _sequences_finish(first, build.accounts))
    build.counts["search_documents"] = step(
        "search documents", lambda: search_documents_write(plan, ids)
    )
    months = build.history_months
    build.counts["calendar_days"] = step(
        "calendar", lambda: _calendar_seed(plan.today, history_months=months)
    )
    build.counts["opening_balances"] = step(
        "opening balances",
        lambda: opening_balances.post(plan, ids, seed=plan.seed, final_only=months > 0),
    )
    _history(plan, build, step, ids=ids, staff_ids=staff_ids, zone=zone, log=log)


def _history(
    plan: DistrictPlan,
    build: DemoBuild,
    step: Callable[..., Any],
    *,
    ids: Ids,
    staff_ids: dict[str, int],
    zone: ZoneInfo,
    log: Callable[[str], None],
) -> None:
    """Rates, reads, and the billed and paid past (``history_months`` of it)."""
    months = build.history_months
    periods = [
        cycle_periods(
            read_day=c.read_day, frequency=c.frequency, today=plan.today, history_months=months
        )
        for c in plan.cycles
    ]
    billing, reviewer = (User.objects.get(pk=staff_ids[u]) for u in (BILLING_USER, REVIEW_USER))
    if months:
        first = min(p.opening_read for p in periods)
        change = months_back(plan.today, months // 2).replace(day=1)
        first_on = months_back(first, 12).replace(day=1, month=7)
        build.counts["rate_versions"] = step(
            "rates", lambda: rate_book_write(first_on=first_on, change_on=change, actor=billing)
        )
    reads = step(
        "reads",
        lambda: reads_write(plan, ids, periods, zone=zone, staff_ids=staff_ids, reviewer=reviewer),
    )
    build.counts |= {
        "reads": reads.reads,
        "read_files": reads.imports,
        "reads_waiting_for_review": reads.held - reads.released,
    }
    if not months:
        return
    history = step(
        "bill history",
        lambda: history_write(plan, ids, periods, billing_actor=billing, reviewer=reviewer),
    )
    for name, seconds in history.seconds.items():  # parts of "bill history", not added
        build.parts[f"bill history ({name})"] = seconds
        log(f"  bill history ({name}): {seconds:.1f}s")
    build.counts |= {
        "bill_runs": history.runs,
        "bills": history.bills,
        "exceptions_released": history.exceptions_released,
        "payments": history.payments,
        "lockbox_files": history.lockbox_files,
    }


def _stepper(build: DemoBuild, log: Callable[[str], None]) -> Callable[..., Any]:
    def step(name: str, work: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = work()
        build.seconds[name] = time.perf_counter() - started
        log(f"{name}: {build.seconds[name]:.1f}s")
        return result

    return step


def demo_staff_ensure() -> dict[str, int]:
    """One staff user per role (the demo cast); returns user ids by username."""
    password_hash = make_password(PASSWORD)  # hashed once: hashing is slow by design
    ids: dict[str, int] = {}
    for role, (username, full_name) in CAST.items():
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={"role": role, "full_name": full_name, "password": password_hash},
        )
        ids[username] = user.pk
    return ids


def _district_settings_write() -> DistrictSettings:
    line1, city, state, postal_code = places.DISTRICT_ADDRESS
    settings, _ = DistrictSettings.objects.update_or_create(
        pk=1,
        defaults={
            "name": places.DISTRICT_NAME,
            "address_line1": line1,
            "city": city,
            "state": state,
            "postal_code": postal_code,
            "phone": places.DISTRICT_PHONE,
            "email": places.DISTRICT_EMAIL,
            "office_hours": places.DISTRICT_HOURS,
            "time_zone": "America/Los_Angeles",
        },
    )
    return settings


def _first_sequence_number() -> int:
    last = Sequence.objects.filter(name=ACCOUNT_SEQUENCE).values_list("last_value", flat=True)
    return (last.first() or 0) + 1


def _sequences_finish(first: int, accounts: int) -> None:
    account_sequence_advance(last_value=first + accounts - 1)
    sequences_reset(WRITTEN_MODELS)


def _calendar_seed(today: date, *, history_months: int) -> int:
    """Make sure the business calendar has the California holidays of the history and
    around ``today`` (bill, due and deposit dates fall on business days)."""
    first = months_back(today, history_months + 3).year
    calendar_seed_holidays(years=range(min(first, today.year - 1), today.year + 3))
    return CalendarDay.objects.count()


def _audit(build: DemoBuild, settings: DistrictSettings) -> None:
    audit_record(
        actor=None,
        action="demo.build",
        subject=settings,
        after={"accounts": build.accounts, "seed": build.seed, **build.counts},
        reason=f"cistern demo --accounts {build.accounts} --seed {build.seed}",
    )
