#!/usr/bin/env bash
# Install everything Cistern needs into .venv, from nothing but python3.
#   1. a virtual environment (.venv) from Python 3.11 (installing Debian's python3-venv as root
#      when the venv module is missing);
#   2. uv, with pip, when the venv has none;
#   3. the system libraries WeasyPrint's PDFs use (Pango and a font; HarfBuzz's subsetter,
#      optional), from Debian's packages as root when missing;
#   4. the exact pinned dependencies (requirements-dev.lock, hashes checked) and Cistern itself,
#      editable.
# Idempotent: does nothing when .venv already matches requirements-dev.lock and pyproject.toml.
# Playwright's browser download never runs: the browser tests use Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP=$VENV/.cistern-installed
LOCK=requirements-dev.lock
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

if [ -f "$STAMP" ] && [ "$STAMP" -nt "$LOCK" ] && [ "$STAMP" -nt pyproject.toml ]; then
  exit 0
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

# uv ships its own certificate roots; point it at the system's so that a site's own
# certificate authority (a proxy, a mirror) is trusted as it is by pip and curl.
if [ -z "${SSL_CERT_FILE:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  export SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
fi

# Cistern runs on Python 3.11: python3.11 if there is one, else python3 if it is 3.11.
find_python() {
  local candidate
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

make_venv() {
  local python=$1
  if "$python" -m venv "$VENV" 2>/dev/null; then return 0; fi
  rm -rf "$VENV"
  echo "$python cannot create a virtual environment; installing python3-venv..." >&2
  if ! { as_root apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip </dev/null; }; then
    echo "Please install python3-venv (Debian/Ubuntu: sudo apt-get install python3-venv), then run make again." >&2
    exit 1
  fi
  "$python" -m venv "$VENV"
}

# Where python3 is not 3.11 (Ubuntu 24.04 has 3.12), uv provides a Python 3.11 of its own.
make_venv_with_uv_python() {
  local tools
  tools=$(mktemp -d)
  trap 'rm -rf "$tools"' EXIT
  echo "python3 is $(python3 -V 2>&1 | cut -d' ' -f2), Cistern needs 3.11: fetching one with uv..." >&2
  make_venv python3 && mv "$VENV" "$tools/venv"
  "$tools/venv/bin/python" -m pip install --quiet --disable-pip-version-check uv
  "$tools/venv/bin/uv" python install 3.11
  "$tools/venv/bin/uv" venv --quiet --seed --python 3.11 "$VENV"
}

if ! command -v python3 >/dev/null; then
  echo "Cistern needs python3 (3.11). Install it, e.g.: sudo apt-get install python3" >&2
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  if python=$(find_python); then make_venv "$python"; else make_venv_with_uv_python; fi
fi

if [ ! -x "$VENV/bin/uv" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check uv
fi

# WeasyPrint (bills, letters, receipts as PDF) needs Pango and a font from the system.
if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then
  echo "Installing Pango for PDF documents (libpango-1.0-0, libpangoft2-1.0-0)..." >&2
  if ! { as_root apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core </dev/null; }; then
    echo "Please install Pango (Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core), then run make again." >&2
    exit 1
  fi
fi

# HarfBuzz's font subsetter: WeasyPrint subsets each PDF's fonts with it, else with fontTools in
# Python, which took about two thirds of a bill's rendering time. Optional: PDFs work without it.
if ! ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0'; then
  echo "Installing HarfBuzz's font subsetter for faster PDFs (libharfbuzz-subset0)..." >&2
  if ! { as_root apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libharfbuzz-subset0 </dev/null; }; then
    echo "Could not install libharfbuzz-subset0: PDFs still work, about three times slower" \
      "(Debian/Ubuntu: sudo apt-get install libharfbuzz-subset0)." >&2
  fi
fi

"$VENV/bin/uv" pip sync --quiet --python "$VENV/bin/python" "$LOCK"
"$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" --no-deps -e .
touch "$STAMP"
echo "Installed Cistern into $VENV."
