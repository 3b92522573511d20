"""Everything one bill's PDF shows, gathered in one place for the templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from cistern.billing.documents.balances import account_summary
from cistern.billing.documents.bill_messages import messages_for_bill
from cistern.billing.documents.chart import MONTHS, months_back, usage_chart
from cistern.billing.documents.numbers import price_text, proration_text, quantity_text
from cistern.billing.models import Bill, BillLine
from cistern.core.selectors import district_settings_get
from cistern.customers.models import MailingAddress
from cistern.metering.models import MeterRead
from cistern.payments.domain.scan_line import ScanLineError, scan_line_build


@dataclass(frozen=True)
class ReadRow:
    meter: str
    unit: str
    previous_on: Any
    previous_value: int | None
    current_on: Any
    current_value: int
    usage: str
    estimated: bool


@dataclass(frozen=True)
class LineRow:
    label: str
    tier: int
    quantity: str
    unit: str
    unit_price: str
    tier_from: str
    tier_to: str
    days: int
    first_day: Any
    last_day: Any
    proration: str
    prorated: bool
    amount_cents: int


def line_rows(lines: list[BillLine]) -> list[LineRow]:
    return [
        LineRow(
            label=line.label,
            tier=line.tier,
            quantity=quantity_text(line.quantity),
            unit=line.unit,
            unit_price=price_text(line.unit_price),
            tier_from=quantity_text(line.tier_from) if line.tier_from is not None else "",
            tier_to=quantity_text(line.tier_to) if line.tier_to is not None else "",
            days=line.days,
            first_day=line.service_start,
            last_day=line.service_end - timedelta(days=1),
            proration=proration_text(line.proration),
            prorated=Decimal(line.proration) != 1,
            amount_cents=line.amount_cents,
        )
        for line in lines
    ]


def _previous_read(read: MeterRead) -> MeterRead | None:
    return (
        MeterRead.objects.filter(
            installation_id=read.installation_id,
            read_at__lt=read.read_at,
            review__in=[MeterRead.Review.ACCEPTED, MeterRead.Review.RELEASED],
        )
        .order_by("-read_at", "-id")
        .first()
    )


def read_rows(bill: Bill) -> list[ReadRow]:
    reads = MeterRead.objects.filter(pk__in=bill.reads_used or []).select_related(
        "installation__meter"
    )
    rows = []
    for read in sorted(reads, key=lambda r: (r.installation.meter.serial, r.read_at)):
        before = _previous_read(read)
        installation = read.installation
        rows.append(
            ReadRow(
                meter=installation.meter.serial,
                unit=installation.meter.unit,
                previous_on=before.read_on if before else installation.installed_on,
                previous_value=before.raw_value if before else installation.install_read,
                current_on=read.read_on,
                current_value=read.raw_value,
                usage=quantity_text(read.volume or 0),
                estimated=read.read_type == MeterRead.ReadType.ESTIMATED,
            )
        )
    return rows


def mailing_lines(bill: Bill) -> list[str]:
    """The address block for the envelope window: name, street lines, city line."""
    customer = bill.account.customer
    address = MailingAddress.objects.filter(customer=customer, valid_to__isnull=True).first()
    if address is not None:
        street = [address.line1, address.line2]
        city = f"{address.city} {address.state} {address.postal_code}"
    else:
        premise = bill.account.premise
        street = [premise.address_line]
        city = f"{premise.city} {premise.state} {premise.postal_code}"
    return [line for line in [customer.display_name, *street, city] if line and line.strip()]


def chart_for(bill: Bill):
    first_month = months_back(bill.period_end, MONTHS)[0]
    history = (
        Bill.objects.filter(account_id=bill.account_id, period_end__gte=first_month)
        .filter(period_end__lte=bill.period_end)
        .exclude(status=Bill.Status.CANCELLED)
        .exclude(pk=bill.pk)
        .values_list("period_end", "usage")
    )
    return usage_chart(
        current_period_end=bill.period_end,
        bills=[*history, (bill.period_end, bill.usage)],
    )


def scan_line_for(account_number: str, amount_due_cents: int) -> dict[str, str]:
    """The stub's scan line, raw and grouped; empty when it cannot carry this account or amount.

    Never a capped or altered amount: a scan line that cannot say exactly what is due is left
    off, and the stub shows the account number and amount in print only.
    """
    try:
        digits = scan_line_build(account_number, amount_due_cents)
    except ScanLineError:
        return {"digits": "", "display": ""}
    return {"digits": digits, "display": f"{digits[:8]} {digits[8:17]} {digits[17]}"}


def district_context() -> dict[str, Any]:
    district = district_settings_get()
    city = " ".join(p for p in [district.city, district.state, district.postal_code] if p)
    logo = ""
    if district.logo:
        try:
            logo = district.logo.path and f"file://{district.logo.path}"
        except (NotImplementedError, ValueError):
            logo = district.logo.url
    return {"district": district, "district_city": city, "district_logo": logo}


def bill_document_context(*, bill: Bill, language: str) -> dict[str, Any]:
    summary = account_summary(bill)
    account = bill.account
    return {
        **district_context(),
        "bill": bill,
        "account": account,
        "premise": account.premise,
        "mailing_lines": mailing_lines(bill),
        "reads": read_rows(bill),
        "lines": line_rows(list(bill.lines.order_by("seq"))),
        "summary": summary,
        "chart": chart_for(bill),
        "messages": messages_for_bill(bill=bill, language=language),
        "scan_line": scan_line_for(account.number, summary.amount_due_cents),
        "usage_text": quantity_text(bill.usage),
        "language": language,
    }
