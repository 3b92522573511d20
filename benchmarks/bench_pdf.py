"""Bill PDF rendering: bills per second per core, and workers needed for a cycle in an hour.

Renders typical bills (6 lines, a read, a 13-month chart, one message) from the real bill
templates through WeasyPrint in one process and times template + layout + PDF. The per-core
rate divides by this process's CPU time, so other load on a shared machine does not skew it
(the wall-clock rate is printed too).
The bill data is built in memory (no database): the few queries per bill cost little next to
the layout. Prints the figures as JSON.

    benchmarks/bench_pdf.py [--bills 40] [--cycle 100000] [--hour 3600]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

import django  # noqa: E402

django.setup()

from django.template.loader import get_template  # noqa: E402
from django.utils import translation  # noqa: E402

from cistern.billing.documents.balances import AccountSummary  # noqa: E402
from cistern.billing.documents.chart import usage_chart  # noqa: E402
from cistern.billing.documents.context import LineRow, ReadRow, scan_line_for  # noqa: E402


def _line(label: str, tier: int, qty: str, price: str, cents: int) -> LineRow:
    return LineRow(
        label=label, tier=tier, quantity=qty, unit="ccf", unit_price=price,
        tier_from="0" if tier else "", tier_to="10" if tier == 1 else "", days=31,
        first_day=date(2025, 1, 1), last_day=date(2025, 1, 31), proration="1",
        prorated=False, amount_cents=cents,
    )  # fmt: skip


def typical_context(n: int) -> dict:
    number = scan_line_for("20000006", 8700)
    district = SimpleNamespace(
        name="Demo Water District", address_line1="100 Reservoir Rd", address_line2="",
        phone="(555) 010-2000", website="https://water.example.org", email="", office_hours="",
    )  # fmt: skip
    customer = SimpleNamespace(display_name=f"Customer {n}, Pat")
    premise = SimpleNamespace(address_line=f"{n} Oak Ave", city="Cistern")
    bill = SimpleNamespace(
        number=f"B{n:08d}", bill_date=date(2025, 2, 3), due_date=date(2025, 2, 24),
        period_start=date(2025, 1, 1), period_end=date(2025, 1, 31), kind="cycle",
        estimated=False, estimated_before=0, usage_unit="ccf", total_cents=8700,
    )  # fmt: skip
    history = [(date(2024, 1 + k, 28), Decimal(8 + (k + n) % 6)) for k in range(12)]
    lines = [
        _line("Base charge", 0, "1 period", "$20.00", 2000),
        _line("Water use", 1, "10", "$2.00", 2000),
        _line("Water use", 2, "4", "$3.00", 1200),
        _line("Drought surcharge", 0, "14", "$0.25", 350),
        _line("Sewer", 0, "14", "$1.50", 2100),
        _line("Capital improvement", 0, "1 period", "$10.50", 1050),
    ]
    mailing = [customer.display_name, premise.address_line, "CISTERN CA 95000"]
    read = ReadRow("BM000001", "ccf", date(2024, 12, 31), 100, date(2025, 1, 31), 114, "14", False)
    chart = usage_chart(
        current_period_end=date(2025, 1, 31), bills=[*history, (date(2025, 1, 31), Decimal(14))]
    )
    return {
        "district": district, "district_city": "Cistern CA 95000", "district_logo": "",
        "bill": bill, "account": SimpleNamespace(number="20000006", customer=customer),
        "premise": premise, "mailing_lines": mailing, "reads": [read],
        "lines": lines, "usage_text": "14",
        "summary": AccountSummary(date(2025, 1, 4), date(2025, 2, 3), 6400, -6400, 0, 8700),
        "chart": chart, "messages": ["Fix leaks: a dripping faucet wastes 20 gallons a day."],
        "scan_line": number, "language": "en",
    }  # fmt: skip


def render_one(template, n: int) -> int:
    from weasyprint import HTML

    with translation.override("en"):
        html = template.render(typical_context(n))
    return len(HTML(string=html).render().write_pdf())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bills", type=int, default=40)
    parser.add_argument("--cycle", type=int, default=100_000)
    parser.add_argument("--hour", type=float, default=3600.0)
    args = parser.parse_args()
    template = get_template("billing/documents/bill_en.html")
    render_one(template, 0)  # warm up: fonts, Pango
    started, cpu_started = time.perf_counter(), time.process_time()
    size = sum(render_one(template, n) for n in range(1, args.bills + 1))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started  # this process's CPU: one core's worth of work
    rate = args.bills / cpu
    print(json.dumps({
        "bills": args.bills, "wall_seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2),
        "bills_per_second_per_core": round(rate, 2),
        "bills_per_second_wall": round(args.bills / elapsed, 2),
        "cpu_ms_per_bill": round(1000 * cpu / args.bills, 1),
        "average_pdf_kb": round(size / args.bills / 1024, 1),
        "cycle_accounts": args.cycle,
        "workers_for_cycle_in_an_hour": math.ceil(args.cycle / (rate * args.hour)),
        "single_core_hours_for_cycle": round(args.cycle / rate / 3600, 2),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
