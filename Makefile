# Cistern — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
VAR_DIR := $(or $(CISTERN_VAR_DIR),var)
DEMO_ACCOUNTS ?= 5000
DEMO_SEED ?= 1
DEMO_HISTORY_MONTHS ?= 24
ADDR ?= 127.0.0.1:8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install run demo test test-fast test-unit test-sqlite test-postgres test-e2e check \
	lint format typecheck migrations-check bench lock clean

help:
	@echo "make run          install, migrate, build the demo district if empty, serve http://$(ADDR)"
	@echo "make test         unit, integration on SQLite and PostgreSQL, browser tests"
	@echo "make test-fast    unit + integration on SQLite (the inner loop)"
	@echo "make test-unit | test-sqlite | test-postgres | test-e2e    one suite"
	@echo "make check        lint, format and doc-link checks, mypy, migrations in sync, then make test"
	@echo "make demo         build the demo district (DEMO_ACCOUNTS=$(DEMO_ACCOUNTS) DEMO_SEED=$(DEMO_SEED) DEMO_HISTORY_MONTHS=$(DEMO_HISTORY_MONTHS))"
	@echo "make bench        run the benchmarks (writes benchmarks/RESULTS.md)"
	@echo "make lock         re-pin dependencies after editing pyproject.toml"

# Creates .venv from nothing but python3 (bootstraps uv), and the data folder.
install:
	@./scripts/bootstrap.sh
	@mkdir -p "$(VAR_DIR)"

run: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo --accounts $(DEMO_ACCOUNTS) --seed $(DEMO_SEED) --history-months $(DEMO_HISTORY_MONTHS) --if-empty -v2
	$(PY) manage.py demo_logins
	$(PY) manage.py runserver $(ADDR)

demo: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo --accounts $(DEMO_ACCOUNTS) --seed $(DEMO_SEED) --history-months $(DEMO_HISTORY_MONTHS) -v2

# The whole suite: unit, integration on SQLite, integration on PostgreSQL, browser.
# Pass pytest arguments with ARGS, e.g. make test-unit ARGS="-k money".
test: install
	@./scripts/test.sh all $(ARGS)

# The inner loop: unit tests and the SQLite integration suite.
test-fast: install
	@./scripts/test.sh fast $(ARGS)

test-unit: install
	@./scripts/test.sh unit $(ARGS)

test-sqlite: install
	@./scripts/test.sh sqlite $(ARGS)

test-postgres: install
	@./scripts/test.sh postgres $(ARGS)

test-e2e: install
	@./scripts/test.sh e2e $(ARGS)

# Lint: ruff, the format check, and the documentation's links (docs/index.md links every page).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/check_docs.py

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: install
	$(VENV)/bin/mypy

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run -v1

check: lint typecheck migrations-check test

bench: install
	$(PY) benchmarks/run.py

# Re-pin dependencies (hashes, no registry addresses) after editing pyproject.toml.
lock: install
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 --no-header --no-annotate -q -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --no-header --no-annotate -q -o requirements-dev.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-results
