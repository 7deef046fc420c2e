# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.PHONY: install install-dev run test test-postgres lint openapi contract contract-clients bench bench-http clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .

## Set up, load the demo company (printing tokens) and serve on http://127.0.0.1:8000 (SQLite under ./var/).
run: install
	$(BIN)/kpr demo
	$(BIN)/kpr serve

## Set up and run the whole test suite (SQLite; set KPR_TEST_DATABASE_URL for PostgreSQL).
test: install-dev
	$(BIN)/pytest -q

test-postgres: install-dev
	KPR_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app
	$(BIN)/lint-imports

openapi: install
	$(BIN)/kpr openapi > openapi.json

## Schemathesis against the live demo: every operation, every check (a few minutes).
contract: install-dev
	bash scripts/contract.sh

## The clients' own tools on openapi.json: Spectral + OWASP rules, openapi-python-client, openapi-typescript + tsc.
contract-clients: install-dev
	cd tools && npm ci --no-audit --no-fund
	bash scripts/client_contract.sh

bench: install
	$(BIN)/python scripts/bench_cycle.py

## HTTP reads against the raw-asyncpg limit on PostgreSQL (needs wrk: apt-get install wrk).
bench-http: install-dev
	$(BIN)/python scripts/bench_http.py

clean:
	rm -rf $(VENV) var build *.egg-info tools/node_modules tools/generated
