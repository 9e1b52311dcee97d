# The commands README.md documents. `make help` lists them.

HOST ?= 127.0.0.1
PORT ?= 5000
POSTGRES_URL ?= postgresql://127.0.0.1:5432/test
PYTHON ?= python3

VENV := .venv
BIN := $(VENV)/bin
# Stamps record that the venv holds what pyproject.toml asks for; editing pyproject.toml makes them stale.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

# Tests build their own Settings: drop every MICROCRED_* variable of the caller (MICROCRED_ENV, a database URL,
# MICROCRED_TEST_DATABASE_URL...) so the shell a test is run from cannot change its outcome.
CLEAN_ENV := env $(foreach var,$(filter MICROCRED_%,$(.VARIABLES)),-u $(var))
# One worker per core (pytest-xdist); each worker makes its own databases (see tests/conftest.py).
PYTEST := $(BIN)/pytest -n auto --cov --cov-report=term

.DEFAULT_GOAL := help
.PHONY: help run test test-postgres test-faults e2e bench clean distclean

help:
	@echo "make run            install into .venv, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "                    (make run PORT=5050 HOST=0.0.0.0 to change where it listens)"
	@echo "make test           lint, format check, and the test suite on SQLite with coverage"
	@echo "make test-postgres  the test suite on PostgreSQL at POSTGRES_URL=$(POSTGRES_URL)"
	@echo "make test-faults    fault drills: the worker killed mid-request, PostgreSQL restarted, SMTP down, a full disk"
	@echo "                    (gunicorn and a private PostgreSQL cluster of their own; as root, for the tmpfs)"
	@echo "make e2e            the whole journey and access checks in Chromium, with axe accessibility scans"
	@echo "                    (needs apt-get install chromium; screenshots in E2E_ARTIFACTS, default tests/e2e/artifacts)"
	@echo "make bench          the benchmarks in bench/ (they print figures; see bench/README.md)"
	@echo "make clean          remove install stamps, caches and coverage data (keeps .venv and instance/)"
	@echo "make distclean      clean, and remove .venv and instance/ (the development database)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e .
	touch $@

# The test extras include everything `make run` needs, so this stamp satisfies both.
$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[test]'
	touch $@ $(RUN_STAMP)

run: export MICROCRED_ENV ?= development
run: $(RUN_STAMP)
	@# WeasyPrint's font subsetter makes certificates ~6x faster; install it where we can (Debian, as root).
	@dpkg -s libharfbuzz-subset0 >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1; } || echo "note: install libharfbuzz-subset0 for fast certificates"
	$(BIN)/microcred db upgrade
	$(BIN)/microcred keys generate
	$(BIN)/microcred demo load
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT)

test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(CLEAN_ENV) $(PYTEST)

# The same suite on PostgreSQL, without coverage: `make test` measures coverage (and holds it to fail_under) on the
# same code, and tracing every line again here costs about a minute of CI's fifteen.
test-postgres: $(TEST_STAMP)
	$(CLEAN_ENV) MICROCRED_TEST_DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest -n auto

# Deselected from `make test` by pyproject's addopts (-m 'not faults'); selected here. The drills start their own
# PostgreSQL cluster (initdb into a temporary directory, a free port), never the one at POSTGRES_URL.
test-faults: $(TEST_STAMP)
	$(CLEAN_ENV) $(BIN)/pytest -m faults tests/faults

# Deselected from `make test` by pyproject's addopts (-m 'not e2e'); selected here. No coverage: the app runs in gunicorn.
e2e: $(TEST_STAMP)
	$(CLEAN_ENV) $(BIN)/pytest -m e2e tests/e2e

bench: $(TEST_STAMP)
	$(BIN)/python bench/structure.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/catalog.py
	$(BIN)/python bench/routing.py
	$(BIN)/python bench/signing.py
	$(BIN)/python bench/issuance.py
	$(BIN)/python bench/certificates.py
	$(BIN)/python bench/verify.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/e2e.py
	bench/fresh_clone.sh
	$(BIN)/python bench/suite.py

clean:
	rm -f $(VENV)/.installed-*
	rm -rf .pytest_cache .ruff_cache htmlcov build dist *.egg-info .coverage .coverage.*
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) instance
