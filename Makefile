# Cistern — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
DEMO_ACCOUNTS ?= 5000
DEMO_SEED ?= 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run demo test test-fast test-unit test-sqlite test-postgres test-e2e check lint format typecheck migrations-check bench lock clean

install:
	@./scripts/bootstrap.sh

run: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo --accounts $(DEMO_ACCOUNTS) --seed $(DEMO_SEED) --if-empty
	$(PY) manage.py demo_logins
	$(PY) manage.py runserver 127.0.0.1:8000

demo: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo --accounts $(DEMO_ACCOUNTS) --seed $(DEMO_SEED)

# The whole suite: unit, integration on SQLite, integration on PostgreSQL, browser.
test: install
	@./scripts/test.sh all

# The inner loop: unit tests and the SQLite integration suite.
test-fast: install
	@./scripts/test.sh fast

test-unit: install
	@./scripts/test.sh unit

test-sqlite: install
	@./scripts/test.sh sqlite

test-postgres: install
	@./scripts/test.sh postgres

test-e2e: install
	@./scripts/test.sh e2e

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

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
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
