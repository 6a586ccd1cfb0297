# Meridian: `make run` serves both demo clinics, `make test` runs the whole suite.
SHELL := /bin/bash
PORT ?= 5000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := .make
# Dev mail: written as .eml files to instance/mail/, delivered right after each booking.
DEV_ENV := PUBLIC_SCHEME=http PUBLIC_PORT=$(PORT) SECRET_KEY="$$(cat instance/secret_key)" \
	MAIL_BACKEND=file MAIL_DELIVER_INLINE=1

.PHONY: run test test-pg lint bench audit serve-setup clean prod prod-stop drills

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP)/install: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/install-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@mkdir -p $(STAMP) && touch $@ $(STAMP)/install

# axe-core and the Nu HTML Checker, pinned in tools/package-lock.json. Without npm the
# audits are reported as NOT RUN in the test summary (CI installs npm and requires them).
TOOLS := tools/node_modules/.package-lock.json
$(TOOLS): tools/package.json tools/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tools --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@; \
	else echo "npm not found: the axe and Nu HTML Checker audits will not run"; fi

instance/secret_key:
	@mkdir -p instance
	@$(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@

## Set up (venv, install, migrate, load both demo clinics) and serve on $(PORT).
run: $(STAMP)/install instance/secret_key
	$(DEV_ENV) $(FLASK) db upgrade
	$(DEV_ENV) $(FLASK) tenants load tenants/*/
	@echo
	@$(DEV_ENV) $(FLASK) demo accounts
	@echo
	@echo "  Acute Acupuncture:  http://acute-acupuncture.localhost:$(PORT)/"
	@echo "  Zak Clinic:         http://zak-clinic.localhost:$(PORT)/"
	@echo "  Platform directory: http://localhost:$(PORT)/"
	@echo "  Booking e-mails are written to instance/mail/*.eml (no mail is sent)."
	@echo
	$(DEV_ENV) $(FLASK) run --host 127.0.0.1 --port $(PORT)

## The whole suite (SQLite by default; TEST_DATABASE_URL=postgresql://… for PostgreSQL).
# Browser, axe and Nu HTML Checker tests run when Chromium, tools/node_modules and java
# are present; the summary says plainly which did not run and why.
test: $(STAMP)/install-test $(TOOLS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

## Only the real-browser, accessibility and HTML-validity checks.
audit: $(STAMP)/install-test $(TOOLS)
	$(BIN)/pytest -m "browser or axe or vnu" $(PYTEST_ARGS)

## Load test: the app under gunicorn beside nginx serving the same bytes (see bench/README.md).
BENCH_ARGS ?= --servers gunicorn-sync,granian
bench: $(STAMP)/install-bench
	$(BIN)/python bench/run.py $(BENCH_ARGS)

$(STAMP)/install-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	@mkdir -p $(STAMP) && touch $@ $(STAMP)/install

## Production-shaped stack on loopback: nginx (HTTPS, local CA) + 2 app servers + worker,
## the machine's PostgreSQL (database meridian_prod) and Redis (db 5). Ctrl-C stops it.
prod: $(STAMP)/install-prod
	$(BIN)/python -m stack up

## Stop what `make prod` started (by the pids it recorded in run/prod/pids/).
prod-stop:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m stack stop; else echo "nothing to stop"; fi

## The drills: kill parts of a private stack under load (PostgreSQL + Redis of their own).
drills: $(STAMP)/install-test $(STAMP)/install-prod
	$(BIN)/pytest -m drill -s $(PYTEST_ARGS)

$(STAMP)/install-prod: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[prod]'
	@mkdir -p $(STAMP) && touch $@ $(STAMP)/install

lint: $(STAMP)/install-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) $(STAMP) .pytest_cache tools/node_modules test-artifacts
