# Two commands do everything on a fresh machine: `make run` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_TEST_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.DEFAULT_GOAL := help
.PHONY: help install install-dev run test test-postgres lint openapi docs contract contract-clients bench bench-http clean

## List the targets and what they do.
help:
	@awk -v port=$(PORT) '/^## /{desc = substr($$0, 4); gsub(/\$$\(PORT\)/, port, desc); next} \
	  /^[a-z][a-z-]*:/{if (desc) {split($$0, t, ":"); printf "  make %-14s %s\n", t[1], desc}} {desc = ""}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

## Create .venv with the locked runtime dependencies.
install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .

## Create .venv with the locked runtime and development dependencies.
install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .

## Set up, load the demo company (printing tokens) and serve it on http://127.0.0.1:$(PORT) (another port: make run PORT=8080).
run: install
	$(BIN)/kpr demo --port $(PORT)
	$(BIN)/kpr serve --port $(PORT)

## Set up and run the whole test suite (SQLite; set KPR_TEST_DATABASE_URL for PostgreSQL).
test: install-dev
	$(BIN)/pytest -q

## The whole test suite on PostgreSQL (PG_TEST_URL, default the database "test" on 127.0.0.1).
test-postgres: install-dev
	KPR_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q

## ruff, ruff format --check, mypy (strict) and the import-layer contracts.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app
	$(BIN)/lint-imports

## Refresh the committed openapi.json from the app.
openapi: install
	$(BIN)/kpr openapi > openapi.json

## Schemathesis against the live demo: every operation, every check (a few minutes).
contract: install-dev
	bash scripts/contract.sh

## The clients' own tools on openapi.json: Spectral + OWASP rules, openapi-python-client, openapi-typescript + tsc.
contract-clients: install-dev
	cd tools && npm ci --no-audit --no-fund
	bash scripts/client_contract.sh

## Refresh the generated docs/errors.md from the error-code registry.
docs: install
	$(BIN)/kpr errors > docs/errors.md

## Time the cycle-wide steps at scale (scripts/bench_cycle.py).
bench: install
	$(BIN)/python scripts/bench_cycle.py

## HTTP reads against the raw-asyncpg limit on PostgreSQL (needs wrk: apt-get install wrk).
bench-http: install-dev
	$(BIN)/python scripts/bench_http.py

## Remove .venv, var/ (the demo database and development secret) and build output.
clean:
	rm -rf $(VENV) var build *.egg-info tools/node_modules tools/generated
