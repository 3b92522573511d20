#!/usr/bin/env python3
"""The benchmark harness behind ``make bench``: writes ``benchmarks/RESULTS.md``.

For each database (a fresh SQLite file under ``var/bench/``; PostgreSQL database
``cistern_bench``): migrate, build the demo district (timed, as ``cistern demo`` runs it),
then measure search latency, the account page and ledger posting throughput in-process
(``benchmarks/measure.py``). Each step runs in its own process with a time limit.

    benchmarks/run.py [--accounts 100000] [--db sqlite|postgres|both] [--quick]

PostgreSQL: ``CISTERN_BENCH_PG_URL`` if set, else the local server at
postgres://postgres@127.0.0.1:5432/cistern_bench. When none answers, the harness asks
``scripts/test_lib.sh`` (the test runner's helper) for a throwaway server; when that fails
too, the results say PostgreSQL was not measured, and why.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from benchmarks.report import machine_facts, write_results  # noqa: E402

PYTHON = sys.executable
LOCAL_PG = "postgres://postgres@127.0.0.1:5432/cistern_bench"
STEP_TIMEOUT_S = {"rating": 600, "migrate": 600, "demo": 1200, "measure": 1200, "posting": 1500}
QUICK_ACCOUNTS = 10_000


def run_step(name: str, args: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Run one step in a child process; returns (wall seconds, stdout). Raises on failure."""
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S[name],
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return seconds, done.stdout


def bench_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    return env


def bench_database(label: str, database_url: str, accounts: int, quick: bool) -> dict:
    """Migrate, build and measure one database; returns its figures (or the error)."""
    env = bench_env(database_url)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    result: dict = {"database": label, "accounts": accounts, "measured_at": when}
    try:
        result["migrate_s"], _ = run_step("migrate", ["manage.py", "migrate", "-v0"], env)
        demo_args = ["manage.py", "demo", "--accounts", str(accounts), "--seed", "1", "-v2"]
        demo_args += ["--history-months", "0"]  # the district and current reads: the 120 s target
        result["demo_wall_s"], out = run_step("demo", demo_args, env)
        result["demo_steps"] = dict(re.findall(r"^(.+?): ([\d.]+)s$", out, re.M))
        built = re.search(r"built in ([\d.]+)s", out)
        result["demo_build_s"] = float(built.group(1)) if built else None
        measure_args = ["benchmarks/measure.py"]
        if quick:
            measure_args += ["--per-kind", "50", "--pages", "50", "--postings", "300"]
        _, out = run_step("measure", measure_args, env)
        result |= json.loads(out)
        result |= posting_figures(label, env, quick)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        result["error"] = str(exc)
    return result


def posting_figures(label: str, env: dict[str, str], quick: bool) -> dict:
    """Bulk ledger posting, the persisted bill run (with its plain-SQL baseline), bill PDFs
    and, on PostgreSQL, lockbox/counter/API payments: each its own bounded step."""
    figures: dict = {}
    steps = [
        ("ledger", ["benchmarks/bench_ledger.py", "--single", "0", "--bulk", "20000"]),
        # Both cores, as `cistern billrun` uses by default on either database: on SQLite one
        # process rates and plans while the other writes (docs/operations/workers.md).
        ("billrun", ["benchmarks/bench_billrun.py", "--workers", "2"]),
    ]
    # Bill PDFs: a typical bill in memory, and the run's bills from the database through
    # the document service (after the bill run, so there are posted bills to render).
    bills = "10" if quick else "40"
    steps.append(("pdf", ["benchmarks/bench_pdf.py", "--bills", bills, "--from-database", bills]))
    if label == "PostgreSQL":
        lockbox = "10000" if quick else "100000"
        steps.append(("payments", ["benchmarks/bench_payments.py", "--lockbox", lockbox]))
    for key, args in steps:
        try:
            _, out = run_step("posting", args, env)
            figures[key] = json.loads(out)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            figures[key] = {"error": str(exc)[-500:]}
    return figures


def pure_rating() -> str:
    """The pure-rating benchmark's printout (it needs no database), or why it failed."""
    try:
        _, out = run_step("rating", ["benchmarks/bench_rating.py", "--repeat", "3"], bench_env(""))
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return f"not measured: {exc}"
    return out


def saved_result_path(database: str) -> Path:
    """Where the latest figures of ``database`` are kept between runs."""
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{database.lower()}.json"


def sqlite_url() -> str:
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def postgres_fresh(url: str) -> str | None:
    """Drop and create the benchmark database; returns None, or why it could not."""
    try:
        import psycopg
    except ImportError as exc:
        return f"psycopg is not installed ({exc})"
    base, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        return f"no PostgreSQL server answered at {base} ({str(exc).strip()[:200]})"
    return None


def postgres_via_throwaway(args: argparse.Namespace) -> dict | None:
    """Re-run the PostgreSQL part inside the test runner's throwaway server, if it can."""
    helper = ROOT / "scripts" / "test_lib.sh"
    if not helper.exists() or os.environ.get("CISTERN_BENCH_INNER"):
        return None
    out = ROOT / "var" / "bench" / "postgres.json"
    out.unlink(missing_ok=True)
    script = (
        "source scripts/test_lib.sh; trap cleanup EXIT; export CISTERN_TEST_PG=throwaway; "
        'select_postgres || exit 3; export CISTERN_BENCH_PG_URL="${PG_URL%/*}/cistern_bench"; '
        f'CISTERN_BENCH_INNER=1 "{PYTHON}" benchmarks/run.py --db postgres '
        f"--accounts {args.accounts} {'--quick' if args.quick else ''} --json-out {out}"
    )
    subprocess.run(["bash", "-c", script], cwd=ROOT, check=False, timeout=3600)
    return json.loads(out.read_text()) if out.exists() else None


def bench_postgres(args: argparse.Namespace) -> dict:
    url = os.environ.get("CISTERN_BENCH_PG_URL", LOCAL_PG)
    problem = postgres_fresh(url)
    if problem is None:
        return bench_database("PostgreSQL", url, args.accounts, args.quick)
    inner = postgres_via_throwaway(args)
    if inner is not None:
        return inner
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return {
        "database": "PostgreSQL",
        "accounts": args.accounts,
        "measured_at": when,
        "error": problem,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ACCOUNTS:,} accounts")
    parser.add_argument("--json-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.accounts = min(args.accounts, QUICK_ACCOUNTS)
    started = time.time()
    facts = machine_facts()
    results = []
    facts["rating"] = pure_rating()
    if args.db in ("sqlite", "both"):
        print(f"SQLite: {args.accounts:,} accounts...", flush=True)
        results.append(bench_database("SQLite", sqlite_url(), args.accounts, args.quick))
    if args.db in ("postgres", "both"):
        print(f"PostgreSQL: {args.accounts:,} accounts...", flush=True)
        results.append(bench_postgres(args))
    if args.json_out:
        args.json_out.write_text(json.dumps(results[-1]))
        return 0
    for result in results:
        saved_result_path(result["database"]).write_text(json.dumps(result))
    if args.db != "both":  # keep the other database's latest figures on the page
        other = "PostgreSQL" if args.db == "sqlite" else "SQLite"
        if saved_result_path(other).exists():
            results.append(json.loads(saved_result_path(other).read_text()))
            results.sort(key=lambda r: r["database"] != "SQLite")
    facts["load_after"] = machine_facts()["load_before"]
    facts["minutes"] = (time.time() - started) / 60
    path = write_results(ROOT / "benchmarks" / "RESULTS.md", facts, results)
    print(f"Wrote {path}")
    return 1 if any("error" in r for r in results if r["database"] == "SQLite") else 0


if __name__ == "__main__":
    sys.exit(main())
