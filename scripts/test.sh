#!/usr/bin/env bash
# Test runner behind `make test` (all), `make test-fast` (unit + sqlite), `make test-unit` ...
#
#   scripts/test.sh [all|fast|unit|sqlite|postgres|e2e] [extra pytest arguments]
#
# Suites, fastest first:
#   unit      tests/unit, no database
#   sqlite    tests/integration on SQLite (PostgreSQL-only tests deselected: -m "not postgres")
#   postgres  the same integration suite on PostgreSQL, postgres-marked tests included
#   e2e       tests/e2e: Playwright journeys in Debian's Chromium against a live server
#
# `all` runs the PostgreSQL suite in the background beside the others (the machine has two
# cores; the suites share nothing) and prints its output when it ends; CISTERN_TEST_JOBS=1
# runs the four one after another instead.
#
# Every suite runs even when an earlier one fails; a summary line per suite closes the run and
# the exit status is non-zero when any suite failed or could not run. A suite is never skipped
# silently: if its database or browser cannot be had, it is reported as FAILED with the reason.
# Each suite is supposed to have tests, so pytest's "no tests collected" (exit 5) is a failure.
#
# PostgreSQL, in order of preference:
#   1. DATABASE_URL, if set to a postgres:// URL (pytest-django creates test_<name> and drops it);
#   2. a server answering on 127.0.0.1:5432 as user postgres without a password, with a database
#      name unique to this run;
#   3. a throwaway server started from the installed PostgreSQL binaries in a temporary folder
#      (as root, run as the postgres user), stopped and removed when this script exits.
#      Where no binaries exist and we are root, Debian's `postgresql` package is installed first.
#   CISTERN_TEST_PG=throwaway forces 3.
# Chromium: CISTERN_CHROMIUM (default /usr/bin/chromium); installed with apt-get when missing and
# running as root.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/test_lib.sh
source scripts/test_lib.sh

what=${1:-all}
shift || true
EXTRA=("$@")
PYTEST=(.venv/bin/python -m pytest -q -p no:cacheprovider --durations=5)
mkdir -p test-results
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_suite NAME DESCRIPTION -- COMMAND...: run one pytest suite and record its result.
run_suite() {
  local name=$1 description=$2
  shift 3
  local junit="test-results/junit-$name.xml" started=$SECONDS rc
  rm -f "$junit"
  echo
  echo "== $name: $description"
  "$@" --junitxml="$junit" "${EXTRA[@]}"
  rc=$?
  record "$name" "$rc" "$((SECONDS - started))" "$junit"
}

suite_unit() {
  run_suite unit "tests/unit (no database)" -- env -u DATABASE_URL "${PYTEST[@]}" tests/unit
}

suite_sqlite() {
  run_suite sqlite "tests/integration on SQLite (-m 'not postgres')" -- \
    env -u DATABASE_URL "${PYTEST[@]}" tests/integration -m "not postgres"
}

postgres_ready() {
  if select_postgres; then return 0; fi
  not_run postgres "no PostgreSQL server could be had (see the message above)"
  return 1
}

postgres_description() { echo "tests/integration on PostgreSQL ($(redact "$PG_URL"))"; }

suite_postgres() {
  postgres_ready || return
  run_suite postgres "$(postgres_description)" -- \
    env DATABASE_URL="$PG_URL" "${PYTEST[@]}" tests/integration
}

# The PostgreSQL suite in the background: its output goes to a log printed when it ends.
BG_LOG=test-results/postgres.log
start_postgres_in_background() {
  postgres_ready || return
  rm -f test-results/junit-postgres.xml
  echo
  echo "== postgres: $(postgres_description)"
  echo "   running in the background; its output follows when it ends ($BG_LOG)"
  env DATABASE_URL="$PG_URL" "${PYTEST[@]}" tests/integration \
    --junitxml=test-results/junit-postgres.xml "${EXTRA[@]}" >"$BG_LOG" 2>&1 &
  BG_PID=$!
  BG_STARTED=$SECONDS
}

finish_postgres_in_background() {
  [ -n "$BG_PID" ] || return
  local rc
  wait "$BG_PID"
  rc=$?
  BG_PID=""
  echo
  echo "== postgres (ran in the background): $(postgres_description)"
  cat "$BG_LOG"
  record postgres "$rc" "$((SECONDS - BG_STARTED))" test-results/junit-postgres.xml
}

suite_e2e() {
  if ! ensure_chromium; then
    not_run e2e "Chromium is missing (see the message above)"
    return
  fi
  # Playwright's sync API runs an event loop in the test thread; the ORM calls made by the
  # fixtures there are still synchronous, so Django's async-safety check is switched off.
  run_suite e2e "tests/e2e in Chromium ($CHROMIUM)" -- \
    env -u DATABASE_URL DJANGO_ALLOW_ASYNC_UNSAFE=true CISTERN_CHROMIUM="$CHROMIUM" \
    "${PYTEST[@]}" tests/e2e
}

run_all() {
  if [ "${CISTERN_TEST_JOBS:-2}" = 1 ]; then
    suite_unit
    suite_sqlite
    suite_postgres
    suite_e2e
    return
  fi
  start_postgres_in_background
  suite_unit
  suite_sqlite
  suite_e2e
  finish_postgres_in_background
}

case "$what" in
  all | fast | sqlite | postgres) ensure_poppler || exit 1 ;;
esac
case "$what" in
  all | postgres) ensure_redis || exit 1 ;;
esac

case "$what" in
  unit) suite_unit ;;
  sqlite) suite_sqlite ;;
  postgres) suite_postgres ;;
  e2e) suite_e2e ;;
  fast) suite_unit; suite_sqlite ;;
  all) run_all ;;
  *)
    echo "unknown suite: $what (use all, fast, unit, sqlite, postgres or e2e)" >&2
    exit 2
    ;;
esac

summary
