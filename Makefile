# Meridian: `make run` serves both demo clinics, `make test` runs the whole suite.
SHELL := /bin/bash
PORT ?= 5000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := .make
DEV_ENV := PUBLIC_SCHEME=http PUBLIC_PORT=$(PORT) SECRET_KEY="$$(cat instance/secret_key)"

.PHONY: run test test-pg lint bench audit serve-setup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP)/install: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/install-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@mkdir -p $(STAMP) && touch $@ $(STAMP)/install

instance/secret_key:
	@mkdir -p instance
	@$(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@

## Set up (venv, install, migrate, load both demo clinics) and serve on $(PORT).
run: $(STAMP)/install instance/secret_key
	$(DEV_ENV) $(FLASK) db upgrade
	$(DEV_ENV) $(FLASK) tenants load tenants/*/
	@echo
	@echo "  Acute Acupuncture:  http://acute-acupuncture.localhost:$(PORT)/"
	@echo "  Zak Clinic:         http://zak-clinic.localhost:$(PORT)/"
	@echo "  Platform directory: http://localhost:$(PORT)/"
	@echo
	$(DEV_ENV) $(FLASK) run --host 127.0.0.1 --port $(PORT)

## The whole suite (SQLite by default; TEST_DATABASE_URL=postgresql://… for PostgreSQL).
test: $(STAMP)/install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)/install-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) $(STAMP) .pytest_cache
