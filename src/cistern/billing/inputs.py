"""What the bill of each account in a chunk is computed from, loaded in a few queries.

Usage is the sum of the volumes of the account's billable reads dated in the period
(first to last service day, inclusive), over every meter installed at the premise in the
period (a change-out bills both meters), converted to the unit of the newest meter. With no
billable read, usage is estimated from the installation's history
(`metering.domain.estimation`) and the bill is marked estimated. Held reads and reads
waiting for a reread are reported, never billed.

True-up: a read's volume is the use since the previous billable read, so the first actual
read after estimated bills also covers the estimated periods. What those bills already
billed (the trailing run of estimated bills before this period) is subtracted; when the
estimates exceeded the reads, this bill's usage is zero and the excess is reported.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from cistern.customers.models import Account, AccountService
from cistern.metering.domain.estimation import estimate_volume
from cistern.metering.history import billable_reads_before, usage_periods
from cistern.metering.models import MeterInstallation, MeterRead
from cistern.rates.domain import District, RatingAttributes, VolumeUnit, convert

BILLABLE_STATUSES = ("active", "suspended", "locked_off")
BILLABLE_REVIEWS = (MeterRead.Review.ACCEPTED, MeterRead.Review.RELEASED)
WAITING_REVIEWS = (MeterRead.Review.HELD, MeterRead.Review.REREAD)


@dataclass
class AccountInputs:
    account: Account
    attrs: RatingAttributes
    services: set[str]
    usage: Decimal = Decimal(0)
    unit: VolumeUnit = VolumeUnit.CCF
    estimated: bool = False
    read_ids: list[int] = field(default_factory=list)
    waiting_read_ids: list[int] = field(default_factory=list)
    no_estimate: bool = False  # no read and no history to estimate from
    # Use already billed on estimates since the last bill on actual reads (true-up), in `unit`.
    estimated_before: Decimal = Decimal(0)
    over_estimated: Decimal = Decimal(0)  # how far estimates exceeded the reads (not credited)


def cycle_accounts(*, cycle_id: int, first_day: date, last_day: date) -> Q:
    """The accounts a cycle bills for a period: billable status, service overlapping it."""
    return Q(
        premise__cycle_id=cycle_id,
        status__in=BILLABLE_STATUSES,
        start_date__lte=last_day,
    ) & (Q(end_date__isnull=True) | Q(end_date__gte=first_day))


def attributes_for(account: Account, meter_size: str | None) -> RatingAttributes:
    """The rating attributes the premise and its meter give (household data is not kept yet)."""
    premise = account.premise
    return RatingAttributes(
        customer_class=premise.premise_class,
        meter_size=f'{meter_size}"' if meter_size else '5/8"',
        dwelling_units=premise.dwelling_units,
        district=District.IN if premise.in_district else District.OUT,
    )


def load_inputs(
    accounts: list[Account], *, first_day: date, last_day: date, estimate: bool = True
) -> list[AccountInputs]:
    """Inputs for each account (premise must be select_related), in the order given."""
    premise_ids = {a.premise_id for a in accounts}
    installs = _installations(premise_ids, first_day, last_day)
    reads = _reads([i.pk for group in installs.values() for i in group], first_day, last_day)
    services = _services([a.pk for a in accounts], first_day, last_day)
    estimated = _estimated_since([a.pk for a in accounts], first_day)
    result = []
    for account in accounts:
        group = installs.get(account.premise_id, [])
        newest = group[-1] if group else None
        inputs = AccountInputs(
            account=account,
            attrs=attributes_for(account, newest.meter.size if newest else None),
            services=services.get(account.pk, set()),
        )
        if newest is not None:
            _usage(inputs, group, reads, first_day, last_day, estimate)
            if inputs.read_ids:
                _true_up(inputs, estimated.get(account.pk, []))
        result.append(inputs)
    return result


def _estimated_since(
    account_ids: list[int], first_day: date
) -> dict[int, list[tuple[Decimal, str]]]:
    """Per account, (usage, unit) of the posted estimated bills since its last actual bill."""
    from cistern.billing.models import Bill  # models import this module's callers

    rows = (
        Bill.objects.filter(
            account_id__in=account_ids, status=Bill.Status.POSTED, period_end__lt=first_day
        )
        .order_by("account_id", "-period_end")
        .values_list("account_id", "estimated", "usage", "usage_unit")
    )
    found: dict[int, list[tuple[Decimal, str]]] = defaultdict(list)
    closed: set[int] = set()
    for account_id, was_estimated, usage, unit in rows:
        if account_id in closed:
            continue
        if not was_estimated:
            closed.add(account_id)
            continue
        found[account_id].append((Decimal(usage), unit))
    return found


def _true_up(inputs: AccountInputs, estimated: list[tuple[Decimal, str]]) -> None:
    billed = sum(
        (convert(usage, VolumeUnit(unit or inputs.unit.value), inputs.unit)
         for usage, unit in estimated),
        Decimal(0),
    )  # fmt: skip
    if not billed:
        return
    inputs.estimated_before = billed
    if billed > inputs.usage:
        inputs.over_estimated = billed - inputs.usage
        inputs.usage = Decimal(0)
    else:
        inputs.usage -= billed


def _installations(
    premise_ids: set[int], first_day: date, last_day: date
) -> dict[int, list[MeterInstallation]]:
    rows = (
        MeterInstallation.objects.filter(premise_id__in=premise_ids, installed_on__lte=last_day)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gte=first_day))
        .select_related("meter")
        .order_by("installed_on", "id")
    )
    grouped: dict[int, list[MeterInstallation]] = defaultdict(list)
    for row in rows:
        grouped[row.premise_id].append(row)
    return grouped


def _reads(install_ids: list[int], first_day: date, last_day: date) -> dict[int, list[MeterRead]]:
    rows = MeterRead.objects.filter(
        installation_id__in=install_ids, read_on__gte=first_day, read_on__lte=last_day
    ).order_by("read_at", "id")
    grouped: dict[int, list[MeterRead]] = defaultdict(list)
    for row in rows:
        grouped[row.installation_id].append(row)
    return grouped


def _services(account_ids: list[int], first_day: date, last_day: date) -> dict[int, set[str]]:
    rows = AccountService.objects.filter(
        account_id__in=account_ids, started_on__lte=last_day
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first_day))
    grouped: dict[int, set[str]] = defaultdict(set)
    for account_id, service in rows.values_list("account_id", "service"):
        grouped[account_id].add(service)
    return grouped


def _usage(
    inputs: AccountInputs,
    group: list[MeterInstallation],
    reads: dict[int, list[MeterRead]],
    first_day: date,
    last_day: date,
    estimate: bool,
) -> None:
    unit = VolumeUnit(group[-1].meter.unit)
    inputs.unit = unit
    total = Decimal(0)
    for installation in group:
        for read in reads.get(installation.pk, []):
            if read.review in WAITING_REVIEWS:
                inputs.waiting_read_ids.append(read.pk)
            elif read.review in BILLABLE_REVIEWS and read.volume is not None:
                meter_unit = VolumeUnit(installation.meter.unit)
                total += convert(Decimal(read.volume), meter_unit, unit)
                inputs.read_ids.append(read.pk)
    inputs.usage = total
    if not inputs.read_ids and estimate:
        _estimate(inputs, group[-1], first_day, last_day)


def _estimate(
    inputs: AccountInputs, installation: MeterInstallation, first_day: date, last_day: date
) -> None:
    moment = timezone.make_aware(datetime.combine(first_day, time.min))
    history = usage_periods(billable_reads_before(installation, moment))
    end = date.fromordinal(last_day.toordinal() + 1)
    volume = estimate_volume(history, start=first_day, end=end)
    inputs.estimated = True
    if volume is None:
        inputs.no_estimate = True
        return
    inputs.usage = volume
