#!/usr/bin/env bash
# Install everything Cistern needs into .venv, from nothing but python3.
# Idempotent: does nothing when .venv already matches requirements-dev.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP=$VENV/.cistern-installed
LOCK=requirements-dev.lock

if [ -f "$STAMP" ] && [ "$STAMP" -nt "$LOCK" ] && [ "$STAMP" -nt pyproject.toml ]; then
  exit 0
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

if ! command -v python3 >/dev/null; then
  echo "Cistern needs python3 (3.11). Install it, e.g.: apt-get install python3" >&2
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    echo "python3 cannot create a virtual environment; installing python3-venv..." >&2
    if ! { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip; }; then
      echo "Please install python3-venv (Debian/Ubuntu: sudo apt-get install python3-venv), then run make again." >&2
      exit 1
    fi
    python3 -m venv "$VENV"
  fi
fi

if [ ! -x "$VENV/bin/uv" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check uv
fi

"$VENV/bin/uv" pip sync --quiet --python "$VENV/bin/python" "$LOCK"
"$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" --no-deps -e .
touch "$STAMP"
echo "Installed Cistern into $VENV."
