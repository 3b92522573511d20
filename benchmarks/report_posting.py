"""RESULTS.md rows for the posting benchmarks: bulk ledger posting, the persisted bill run
against its plain-SQL baseline, lockbox posting, counter and API payments."""

from __future__ import annotations


def posting_rows(r: dict) -> list[str]:
    """Table rows (same columns as the database table) for whatever ``r`` measured."""
    rows: list[str] = []
    bulk = (r.get("ledger") or {}).get("bulk")
    if bulk:
        rows.append(
            f"| ledger posting, bulk (`journal_entries_post_bulk`, {bulk['batch']} a call) | "
            f"{bulk['entries_per_s']:,.0f} entries/s ({bulk['entries']:,} in "
            f"{bulk['seconds']:.1f} s) | | |"
        )
    run = r.get("billrun")
    if run and run.get("bills"):
        rows.append(
            f"| persisted bill run, {run['accounts']:,} accounts (calculate + post) | "
            f"{run['total_s']:.1f} s ({run['bills_posted']:,} bills, "
            f"{run.get('workers', 1)} worker process(es); calculate "
            f"{run['calculate_s']:.1f} s, post {run['post_s']:.1f} s) | < 10 s | "
            f"{'pass' if run['total_s'] < 10 else 'FAIL'} |"
        )
        rows.append(
            f"| plain SQL `INSERT ... SELECT` of the same bill/line/entry/posting rows | "
            f"{run['baseline_s']:.2f} s; the run takes {run['ratio']:.0f}x as long | | |"
        )
    pay = r.get("payments") or {}
    box = pay.get("lockbox")
    if box:
        rows.append(
            f"| lockbox file of {box['items']:,} payments (`lockbox_import`) | "
            f"{box['seconds']:.1f} s ({box['items_per_s']:,.0f} items/s) | < 20 s (PostgreSQL) | "
            f"{'pass' if box['seconds'] < 20 else 'FAIL'} |"
        )
    counter = pay.get("counter")
    if counter and counter.get("n"):
        rows.append(
            f"| counter payment (`payment_take_at_counter`, cash) | p50 {counter['p50']:.1f} / "
            f"p95 {counter['p95']:.1f} ms (n={counter['n']}) | | |"
        )
    api = pay.get("api")
    if api and api.get("payments"):
        rows.append(
            f"| API `POST /api/v1/payments` with Idempotency-Key (test client) | "
            f"{api['payments_per_s']:.1f} payments/s ({api['payments']} in "
            f"{api['seconds']:.1f} s) | | |"
        )
    return rows
