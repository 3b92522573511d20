"""Bill PDF rendering: bills per second per core, and workers needed for a cycle in an hour.

Two measures, in one process, each timed by this process's CPU time, so other load on a
shared machine does not skew them (wall-clock rates are printed too):

- a typical bill (6 lines, a read, a full 13-month chart, one message), its data built in
  memory, through the real bill template and WeasyPrint: template + layout + PDF;
- ``--from-database N``: N posted bills of the database in ``DATABASE_URL`` (spread over
  its bills; after ``bench_billrun.py``), each through the service that issuing a run
  calls, ``bill_document_render``: its queries, template, layout, PDF and the stored
  document (under a scratch media folder). Skipped when the database has no posted bill.

The workers a cycle needs in an hour come from the slower of the two. Whether WeasyPrint
found HarfBuzz's subsetter (``libharfbuzz-subset0``) is recorded: without it, fonts are
subset by fontTools in Python, which took about two thirds of each bill's time.
Prints the figures as JSON.

    benchmarks/bench_pdf.py [--bills 40] [--from-database 40] [--cycle 100000] [--hour 3600]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
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
from django.test import override_settings  # noqa: E402
from django.utils import translation  # noqa: E402

from cistern.billing.documents.balances import AccountSummary  # noqa: E402
from cistern.billing.documents.chart import usage_chart  # noqa: E402
from cistern.billing.documents.context import LineRow, ReadRow, scan_line_for  # noqa: E402
from cistern.billing.documents.render import bill_document_render  # noqa: E402
from cistern.billing.models import Bill  # noqa: E402


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


def database_bill_ids(count: int) -> list[int]:
    """``count`` posted bills without a document, spread evenly over the database's."""
    ids = list(
        Bill.objects.filter(status=Bill.Status.POSTED, document__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not ids or count <= 0:
        return []
    step = max(len(ids) // count, 1)
    return ids[::step][:count]


def render_stored(bill_id: int) -> int:
    return bill_document_render(bill=Bill(pk=bill_id)).pdf.size


def timed(count: int, render: Callable[[int], int], numbers: list[int]) -> dict:
    """Render each of ``numbers``; the figures, per core from this process's CPU time."""
    started, cpu_started = time.perf_counter(), time.process_time()
    size = sum(render(n) for n in numbers)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started  # this process's CPU: one core's worth of work
    return {
        "bills": count, "wall_seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2),
        "bills_per_second_per_core": round(count / cpu, 2),
        "bills_per_second_wall": round(count / elapsed, 2),
        "cpu_ms_per_bill": round(1000 * cpu / count, 1),
        "average_pdf_kb": round(size / count / 1024, 1),
    }  # fmt: skip


def harfbuzz_subsetting() -> bool:
    from weasyprint.text.ffi import harfbuzz_subset

    return harfbuzz_subset is not None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bills", type=int, default=40)
    parser.add_argument("--from-database", type=int, default=0, metavar="N")
    parser.add_argument("--cycle", type=int, default=100_000)
    parser.add_argument("--hour", type=float, default=3600.0)
    args = parser.parse_args()
    template = get_template("billing/documents/bill_en.html")
    render_one(template, 0)  # warm up: fonts, Pango
    numbers = list(range(1, args.bills + 1))
    figures: dict = {"typical": timed(args.bills, lambda n: render_one(template, n), numbers)}
    ids = database_bill_ids(args.from_database) if args.from_database else []
    if ids:
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            figures["database"] = timed(len(ids), render_stored, ids)
    rate = min(f["bills_per_second_per_core"] for f in figures.values())
    print(json.dumps({
        **figures,
        "harfbuzz_subset": harfbuzz_subsetting(),
        "cycle_accounts": args.cycle,
        "workers_for_cycle_in_an_hour": math.ceil(args.cycle / (rate * args.hour)),
        "single_core_hours_for_cycle": round(args.cycle / rate / 3600, 2),
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
