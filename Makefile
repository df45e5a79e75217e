# MPP Digital — every command a developer needs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
# `flask run` listens on this port, and the app derives its development origin (passkeys, links) from it.
export FLASK_RUN_PORT := $(PORT)
# The Chromium the browser tests drive: MPP_CHROMIUM (read by tests/conftest.py), or CHROMIUM=… on the command line.
CHROMIUM ?= $(or $(MPP_CHROMIUM),/usr/bin/chromium)
export MPP_CHROMIUM := $(CHROMIUM)

.DEFAULT_GOAL := help
.PHONY: help install install-test run db-upgrade demo-data demo-staff test test-postgres ci lint format \
        i18n-extract i18n-update i18n-compile static-compress bench bench-tools browser clean

help: ## Show this list of commands
	@grep -hE '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test,dev]'
	touch $@

install: $(VENV)/.installed i18n-compile static-compress ## Create the virtualenv and install the app

install-test: $(VENV)/.installed-test i18n-compile static-compress ## Install the app with its test and dev tools

db-upgrade: install ## Apply database migrations (embedded default: SQLite in instance/)
	$(FLASK) db upgrade

demo-data: db-upgrade ## Load or refresh the demo MPPs, agencies and services (safe to repeat)
	$(FLASK) demo-data
	$(FLASK) demo-forms

demo-staff: db-upgrade ## Print invitation links that enrol demo officers (one per agency at MPP Kota Kendari; PORT=…)
	$(FLASK) staff demo-invitations

# The demo catalog is loaded only into an empty database, so re-running `make run` never undoes an admin's edits.
run: db-upgrade ## Start the app on http://localhost:5000 (PORT=… moves it, passkeys included; SQLite, demo data)
	$(FLASK) demo-data --if-empty
	$(FLASK) demo-forms
	$(FLASK) run --host localhost --port $(PORT)

# The national profile on this machine (app/ops/run_scale.py: settings, processes): PostgreSQL database mpp_scale
# (created when missing), Redis db 1, gunicorn on SCALE_PORT (8000), two job workers; Ctrl+C stops them all.
.PHONY: run-scale
run-scale: install ## Start the national profile: gunicorn workers + 2 job workers on PostgreSQL and Redis (README)
	$(BIN)/python -m app.ops.run_scale

# The suite's system packages: Debian's Chromium, and the one sans font the layout tests were measured with (target
# sizes are fixed in CSS whatever the font; the font keeps text widths, and so the screenshots, the same everywhere).
BROWSER_PACKAGES := chromium fonts-dejavu-core
browser: ## Install the browser tests' system packages when missing: Chromium and its font (needs root)
	@missing="$$( [ -x "$(CHROMIUM)" ] || echo chromium; dpkg-query -W -f='$${Status}' fonts-dejavu-core 2>/dev/null | grep -q 'ok installed' || echo fonts-dejavu-core)"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	  else echo "Missing $$(echo $$missing); browser tests will be skipped or differ (install: apt-get install $(BROWSER_PACKAGES))."; fi; \
	fi

test: install-test browser ## Run the whole suite, browser tests included (PYTEST_ARGS=…; MPP_TEST_DATABASE_URL for PostgreSQL)
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: ## Run the whole suite on the local PostgreSQL (database "test"; MPP_TEST_DATABASE_URL overrides)
	MPP_TEST_DATABASE_URL=$${MPP_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(MAKE) test

ci: ## What CI runs: make test on a clean clone of HEAD, on SQLite then PostgreSQL; browser tests required
	.ci/run

lint: install-test ## Check style with ruff
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench

format: install-test ## Format code with ruff
	$(BIN)/ruff format app tests bench
	$(BIN)/ruff check --fix app tests bench

i18n-extract: ## Extract translatable strings into translations/messages.pot
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --omit-header --no-wrap .

i18n-update: i18n-extract ## Merge new strings into the id and en catalogs
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete --no-wrap --no-fuzzy-matching

# Static text files are compressed once here, at the best levels, and served as they are (app/assets.py).
static-compress: $(VENV)/.installed ## Compress static CSS/JS/SVG once (gzip -9, brotli 11) next to each file
	$(FLASK) static-compress >/dev/null

i18n-compile: $(VENV)/.installed ## Compile the catalogs (.mo files are built, never committed)
	$(BIN)/pybabel compile -d translations --statistics 2>&1 | grep -v "^compiling" || true

bench: install-test bench-tools ## Measure page weight and throughput (reports numbers; BENCH_ARGS="--help" for options)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The throughput benchmark's load generator: wrk (C, one thread per core) takes far less of a 2-core machine than the
# Python fallback, which competes with the server it measures.
bench-tools: ## Install wrk when missing (needs root; without it bench/run.py falls back to a Python client)
	@if ! command -v wrk >/dev/null; then 	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; 	  else echo "wrk is missing; the throughput figures come from the Python client (install: apt-get install wrk)."; fi; 	fi

# Against a running `make run-scale` (its state file gives the address and database). Each prints a verdict.
.PHONY: load flash-crowd faults
load: install-test ## Load test (locust) at rising user counts until p95 passes 1 s; needs `make run-scale` running
	$(BIN)/pip install -q -e '.[test,dev,load]'
	$(BIN)/python bench/load/prepare.py
	$(BIN)/python bench/load/run.py $(LOAD_ARGS)

flash-crowd: install-test ## A queue release: thousands of booking attempts in one minute; needs `make run-scale`
	$(BIN)/python bench/flash_crowd.py $(CROWD_ARGS)

faults: install-test ## kill -9 a job worker, restart PostgreSQL and Redis during load (RESTARTS the local services)
	$(BIN)/python bench/faults.py $(FAULT_ARGS)

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) instance .pytest_cache
