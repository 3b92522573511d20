"""The facts about the machine and the RESULTS.md page the harness writes."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
from pathlib import Path

from benchmarks.report_posting import posting_rows

SEARCH_P95_TARGET_MS = 50.0
DEMO_BUILD_TARGET_S = 120.0
KIND_LABELS = {
    "account_number": "account number",
    "name": "name",
    "address": "partial address, any order",
    "phone": "phone",
    "email": "e-mail",
    "meter": "meter serial",
    "apn": "APN",
}


def machine_facts() -> dict:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gb = 0.0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        ram_gb = total_kb / 1024 / 1024
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgres": _postgres_version(),
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _postgres_version() -> str:
    url = os.environ.get("CISTERN_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg

        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3) as conn:
            return str(conn.execute("SHOW server_version").fetchone()[0])
    except Exception as exc:
        return f"not reachable ({type(exc).__name__})"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _verdict(ok: bool) -> str:
    return "pass" if ok else "**FAIL**"


def _database_section(r: dict) -> list[str]:
    lines = [f"## {r['database']}", ""]
    if "error" in r:
        lines += [f"Not measured: {r['error']}", ""]
        if "demo_build_s" not in r:
            return lines
    build = r.get("demo_wall_s")
    lines += [
        f"Demo district: {r.get('accounts', 0):,} accounts; measured {r.get('measured_at', '-')}.",
        "",
        "| measure | figure | target | result |",
        "| --- | --- | --- | --- |",
    ]
    if build is not None:
        ok = build < DEMO_BUILD_TARGET_S
        inner = r.get("demo_build_s")
        of_which = f" (building {inner:.1f} s, the rest Django start-up)" if inner else ""
        lines.append(
            f"| demo build (`cistern demo`, wall clock) | {build:.1f} s{of_which} | < 120 s "
            f"| {_verdict(ok)} |"
        )
    if r.get("migrate_s") is not None:
        lines.append(f"| migrate (empty database) | {r['migrate_s']:.1f} s | | |")
    for kind, label in KIND_LABELS.items():
        s = r.get("search", {}).get(kind)
        if not s or not s.get("n"):
            continue
        ok = s["p95"] < SEARCH_P95_TARGET_MS
        figure = (
            f"p50 {_ms(s['p50'])} / p95 {_ms(s['p95'])} / p99 {_ms(s['p99'])} ms "
            f"(n={s['n']}, found {s['found_pct']:.0f}%)"
        )
        lines.append(f"| search: {label} | {figure} | p95 < 50 ms | {_verdict(ok)} |")
    lines += _request_rows(r)
    lines.append("")
    steps = r.get("demo_steps")
    if steps:
        lines.append(
            "Demo build steps (s): " + ", ".join(f"{k} {float(v):.1f}" for k, v in steps.items())
        )
        lines.append("")
    return lines


def _request_rows(r: dict) -> list[str]:
    rows = []
    t = r.get("typeahead")
    if t and t.get("n"):
        rows.append(
            f"| search typeahead, full request (test client) | p50 {_ms(t['p50'])} / "
            f"p95 {_ms(t['p95'])} ms (n={t['n']}) | | |"
        )
    p = r.get("account_page")
    if p and p.get("n"):
        rows.append(
            f"| account page `GET /accounts/<number>/` | p50 {_ms(p['p50'])} / "
            f"p95 {_ms(p['p95'])} ms (n={p['n']}) | well under 150 ms | "
            f"{_verdict(p['p95'] < 150)} |"
        )
    post = r.get("posting")
    if post and post.get("entries"):
        rows.append(
            f"| ledger posting (`journal_entry_post`, one entry each) | "
            f"{post['entries_per_s']:.0f} entries/s ({post['entries']:,} in "
            f"{post['seconds']:.1f} s) | | |"
        )
    return rows + posting_rows(r) + _pdf_rows(r)


def _pdf_rows(r: dict) -> list[str]:
    pdf = r.get("pdf") or {}
    rows = []
    measures = (
        ("typical", "typical bill built in memory: template, layout, PDF"),
        ("database", "the run's posted bills through `bill_document_render` (queries, stored)"),
    )
    for key, label in measures:
        f = pdf.get(key)
        if f:
            rows.append(
                f"| bill PDF, {label} | {f['bills_per_second_per_core']:.1f} bills/s per core "
                f"({f['cpu_ms_per_bill']:.0f} ms CPU a bill, {f['average_pdf_kb']:.0f} KB; "
                f"n={f['bills']}) | | |"
            )
    if rows:
        subsetter = (
            "HarfBuzz" if pdf.get("harfbuzz_subset") else "fontTools (no libharfbuzz-subset0)"
        )
        rows.append(
            f"| bill PDFs of a {pdf['cycle_accounts']:,}-account cycle within an hour | "
            f"{pdf['workers_for_cycle_in_an_hour']} worker processes (one core: "
            f"{pdf['single_core_hours_for_cycle']:.1f} h; fonts subset by {subsetter}) | | |"
        )
    return rows


def write_results(path: Path, facts: dict, results: list[dict]) -> Path:
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`benchmarks/run.py`); see "
        "docs/operations/demo-and-benchmarks.md for what is measured and how.",
        "",
        f"- Date: {facts['date']} (run took {facts.get('minutes', 0):.1f} min)",
        f"- Machine: {facts['cpu']}, {facts['cores']} cores, {facts['ram_gb']:.1f} GB RAM",
        f"- Python {facts['python']}, SQLite {facts['sqlite']}, PostgreSQL {facts['postgres']}",
        f"- Load average at start: {facts['load_before']}; at end: {facts.get('load_after', '-')}"
        " (the machine is shared: other work running at the same time inflates the figures)",
        "",
        "Targets: search p95 under 50 ms for every kind of query; the 100,000-account demo "
        "built in under 2 minutes.",
        "",
    ]
    rating = facts.get("rating")
    if rating:
        lines += [
            "## Pure rating (no database)",
            "",
            "`benchmarks/bench_rating.py --repeat 3`: the demo mix, one process (one core), "
            "CPU time. Target: at least 200,000 bills/s per core.",
            "",
            "```",
            rating.strip(),
            "```",
            "",
        ]
    for result in results:
        lines += _database_section(result)
    path.write_text("\n".join(lines).rstrip() + "\n")
    return path
