# Helpers for scripts/test.sh: result bookkeeping, the PostgreSQL server and Chromium.
# Sourced, not run. Messages for people go to stderr.

declare -A SUMMARY=()
SUITES=(unit sqlite postgres e2e)
TOTAL_PASSED=0
TOTAL_FAILED=0
ANY_FAILED=0

is_root() { [ "$(id -u)" = 0 ]; }

# junit_counts FILE: prints "tests failures errors skipped" from a pytest JUnit XML file.
junit_counts() {
  .venv/bin/python - "$1" <<'PY'
import sys
import xml.etree.ElementTree as ET

try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print("0 0 0 0")
    raise SystemExit
suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
totals = [sum(int(s.get(key, 0)) for s in suites) for key in ("tests", "failures", "errors", "skipped")]
print(*totals)
PY
}

# record NAME PYTEST_EXIT SECONDS JUNIT_FILE
record() {
  local name=$1 rc=$2 seconds=$3 junit=$4 tests failures errors skipped status note=""
  read -r tests failures errors skipped < <(junit_counts "$junit")
  local failed=$((failures + errors)) passed=$((tests - failures - errors - skipped))
  case "$rc" in
    0) status=PASSED ;;
    5) status=FAILED; note=" - collected no tests, but this suite must have tests" ;;
    *) status=FAILED; note=" - pytest exit code $rc" ;;
  esac
  if [ "$status" = FAILED ] && [ "$failed" = 0 ]; then failed=1; fi
  if [ "$skipped" != 0 ]; then note="$note - $skipped skipped (tests must not skip)"; fi
  [ "$status" = FAILED ] && ANY_FAILED=1
  TOTAL_PASSED=$((TOTAL_PASSED + passed))
  TOTAL_FAILED=$((TOTAL_FAILED + failed))
  SUMMARY[$name]=$(printf '%-8s %-6s %5d passed, %d failed in %ds%s' \
    "$name" "$status" "$passed" "$failed" "$seconds" "$note")
}

# not_run NAME REASON: a suite that could not start counts as failed, never as skipped.
not_run() {
  ANY_FAILED=1
  TOTAL_FAILED=$((TOTAL_FAILED + 1))
  SUMMARY[$1]=$(printf '%-8s %-6s not run: %s' "$1" FAILED "$2")
}

summary() {
  echo
  echo "== summary"
  local name
  for name in "${SUITES[@]}"; do
    if [ -n "${SUMMARY[$name]:-}" ]; then echo "${SUMMARY[$name]}"; fi
  done
  echo "total: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
  return "$ANY_FAILED"
}

redact() { echo "$1" | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#'; }

# ---------------------------------------------------------------- PostgreSQL

PG_TMP=""
PG_BIN=""
PG_RUNAS=()
PG_URL=""

run_id() { echo "$(date +%Y%m%d%H%M%S)_$$"; }

# local_server_answers PORT: true when user postgres can connect on 127.0.0.1:PORT.
local_server_answers() {
  .venv/bin/python - "$1" <<'PY' 2>/dev/null
import sys

import psycopg

psycopg.connect(
    host="127.0.0.1", port=int(sys.argv[1]), user="postgres", dbname="postgres", connect_timeout=3
).close()
PY
}

find_pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin /usr/pgsql-*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then PG_BIN=$dir; return 0; fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    PG_BIN=$(dirname "$(command -v initdb)")
    return 0
  fi
  return 1
}

install_pg_binaries() {
  if is_root && command -v apt-get >/dev/null; then
    echo "No PostgreSQL binaries found; installing Debian's postgresql package..." >&2
    apt-get update -qq >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 </dev/null &&
      find_pg_bin && return 0
  fi
  cat >&2 <<'MSG'
The PostgreSQL pass needs a PostgreSQL server. Do one of:
  - install the server binaries (a throwaway server is started from them):
      sudo apt-get install postgresql
  - or set DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/NAME (a role allowed to create
    databases; the tests use test_NAME and drop it afterwards)
  - or run a server on 127.0.0.1:5432 that lets user postgres in without a password.
MSG
  return 1
}

free_port() {
  .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# pg_as CMD...: run a PostgreSQL binary as the server's owner, from a folder it may read.
pg_as() { (cd "$PG_TMP" && "${PG_RUNAS[@]}" "$@"); }

stop_throwaway_pg() {
  [ -n "$PG_TMP" ] || return 0
  if [ -f "$PG_TMP/data/postmaster.pid" ]; then
    pg_as "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$PG_TMP"
  PG_TMP=""
}

start_throwaway_pg() {
  find_pg_bin || install_pg_binaries || return 1
  PG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cistern-pg.XXXXXX") || return 1
  PG_RUNAS=()
  if is_root; then
    # initdb refuses to run as root: the server runs as postgres (or nobody) in a folder it owns.
    local owner=postgres
    id -u postgres >/dev/null 2>&1 || owner=nobody
    chown "$owner" "$PG_TMP"
    if command -v runuser >/dev/null; then
      PG_RUNAS=(runuser -u "$owner" --)
    else
      PG_RUNAS=(su -s /bin/sh -c '"$0" "$@"' "$owner" --)
    fi
  fi
  local port
  port=$(free_port)
  echo "Starting a throwaway PostgreSQL ($PG_BIN) on 127.0.0.1:$port in $PG_TMP" >&2
  if ! pg_as "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --no-locale \
    --no-sync >"$PG_TMP/initdb.log" 2>&1; then
    cat "$PG_TMP/initdb.log" >&2
    echo "initdb failed (log above)." >&2
    return 1
  fi
  if ! pg_as "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 -o \
    "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null; then
    cat "$PG_TMP/server.log" >&2
    echo "The throwaway PostgreSQL server did not start (log above)." >&2
    return 1
  fi
  PG_URL="postgres://postgres@127.0.0.1:$port/cistern_$(run_id)"
}

# select_postgres: sets PG_URL to the database the PostgreSQL pass uses (see test.sh).
select_postgres() {
  PG_URL=""
  if [ "${CISTERN_TEST_PG:-auto}" = throwaway ]; then
    start_throwaway_pg
    return
  fi
  case "${DATABASE_URL:-}" in
    postgres://* | postgresql://* | pgsql://*)
      PG_URL=$DATABASE_URL
      return 0
      ;;
    "") ;;
    *) echo "DATABASE_URL is not a PostgreSQL URL; looking for a server instead." >&2 ;;
  esac
  if local_server_answers 5432; then
    PG_URL="postgres://postgres@127.0.0.1:5432/cistern_$(run_id)"
    return 0
  fi
  echo "No PostgreSQL server lets user postgres in on 127.0.0.1:5432." >&2
  start_throwaway_pg
}

# cleanup: on exit, stop a suite still running in the background, then the throwaway server.
BG_PID=""
cleanup() {
  if [ -n "$BG_PID" ] && kill -0 "$BG_PID" 2>/dev/null; then
    kill "$BG_PID" 2>/dev/null
    wait "$BG_PID" 2>/dev/null
  fi
  stop_throwaway_pg
}

# ------------------------------------------------------------------- Chromium

CHROMIUM=""

# ensure_chromium: sets CHROMIUM, installing Debian's package when missing and root.
ensure_chromium() {
  CHROMIUM=${CISTERN_CHROMIUM:-/usr/bin/chromium}
  if [ -x "$CHROMIUM" ]; then return 0; fi
  if is_root && command -v apt-get >/dev/null && [ "$CHROMIUM" = /usr/bin/chromium ]; then
    echo "Chromium is missing; installing Debian's chromium package..." >&2
    apt-get update -qq >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 </dev/null
    if [ -x "$CHROMIUM" ]; then return 0; fi
  fi
  cat >&2 <<MSG
The browser tests need Chromium at $CHROMIUM. Install Debian's package:
    sudo apt-get install chromium
or point CISTERN_CHROMIUM at another Chromium or Chrome binary. (Playwright's own browser
download is not used.)
MSG
  return 1
}

# ------------------------------------------------------------------- Poppler

# ensure_poppler: the document tests read PDFs back with pdftotext and pdfinfo (poppler-utils).
ensure_poppler() {
  if command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null; then return 0; fi
  if is_root && command -v apt-get >/dev/null; then
    echo "pdftotext is missing; installing Debian's poppler-utils package..." >&2
    apt-get update -qq >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >&2 </dev/null
    if command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null; then return 0; fi
  fi
  cat >&2 <<MSG
The document tests read generated PDFs with pdftotext and pdfinfo. Install them:
    sudo apt-get install poppler-utils
MSG
  return 1
}

# ------------------------------------------------------------------- Redis

# ensure_redis: the distributed bill-run test (PostgreSQL suite) uses Redis as the Celery
# broker; it starts a throwaway redis-server when none answers, so the binary must exist.
ensure_redis() {
  if command -v redis-server >/dev/null; then return 0; fi
  if is_root && command -v apt-get >/dev/null; then
    echo "redis-server is missing; installing Debian's redis-server package..." >&2
    apt-get update -qq >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2 </dev/null
    if command -v redis-server >/dev/null; then return 0; fi
  fi
  cat >&2 <<MSG
The distributed bill-run test needs Redis (the Celery broker). Install it:
    sudo apt-get install redis-server
MSG
  return 1
}
