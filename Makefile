# Gatehouse — `make run` serves a demo console, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || command -v python3.13 || command -v python3.14 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Everything the Makefile runs is local (dev, tests, benchmarks): a local-only SECRET_KEY is fine.
export GATEHOUSE_LOCAL ?= true

.PHONY: install run serve static test e2e lint format bench bench-users bench-admin bench-load bench-logs bench-sqlite bench-mfa migrate clean demo-client

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), "Gatehouse needs Python 3.12+, found " + sys.version'
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: $(BIN)/python
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(STAMP): $(BIN)/uv pyproject.toml uv.lock
	$(BIN)/uv sync --frozen --inexact --no-python-downloads --python $(BIN)/python
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --no-input

# The background worker (bulk jobs, docs/jobs.md) runs beside runserver and stops with it.
run: migrate
	DEBUG=true $(BIN)/python manage.py seed_demo --users 300 --if-empty
	DEBUG=true $(BIN)/python manage.py ensure_admin --url http://$${HOST:-127.0.0.1}:$${PORT:-8000}
	DEBUG=true $(BIN)/python manage.py generate_oidc_key --output oidc-key.pem --if-missing
	DEBUG=true $(BIN)/python manage.py oidc_demo_client --register-only
	DEBUG=true $(BIN)/python manage.py jobs_worker --no-reload --worker-id "run-$$(hostname)" & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=true $(BIN)/python manage.py runserver $${HOST:-127.0.0.1}:$${PORT:-8000}

# A tiny relying party on 127.0.0.1:8001 that signs in through `make run`'s Gatehouse.
demo-client: install
	DEBUG=true $(BIN)/python manage.py oidc_demo_client --issuer http://127.0.0.1:$${PORT:-8000}/oidc

# Production: gunicorn, DEBUG off, static files hashed and served by WhiteNoise. Needs SECRET_KEY
# and ALLOWED_HOSTS (see README); migrations are `make migrate`, a separate step, so the server
# starts while the database is away and says so on /readyz. HOST, PORT, WEB_CONCURRENCY.
# The local-only key is not offered here unless GATEHOUSE_LOCAL=true is given explicitly.
serve: static
	$(if $(filter environment command line,$(origin GATEHOUSE_LOCAL)),,env -u GATEHOUSE_LOCAL) \
		DEBUG=false $(BIN)/gunicorn --config console/gunicorn.conf.py

static: install
	DEBUG=false $(BIN)/python manage.py collectstatic --no-input --verbosity 0

# The suite runs on every core (pytest-xdist; each worker has its own test database). PYTEST_ARGS= for more.
TEST_WORKERS ?= auto
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

e2e: install
	$(BIN)/pytest tests/e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks run on PostgreSQL (the production database); the first run loads the data.
BENCH_USERS ?= 1000000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/gatehouse_bench
bench: bench-users bench-admin bench-logs

# Also re-ANALYZEs five times and fails on any search plan that scans users_user; writes the
# console's medians to bench-users.json for bench-admin's ratios.
bench-users: static
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.users --users $(BENCH_USERS) --json bench-users.json

# Django admin's stock changelist over a copy of the same users in auth_user (its own database),
# then again with pg_trgm indexes on its search columns.
BENCH_ADMIN_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/gatehouse_bench_admin
bench-admin: install
	BENCH_ADMIN_DATABASE_URL=$(BENCH_ADMIN_DATABASE_URL) $(BIN)/python -m bench.admin \
		--source $(BENCH_DATABASE_URL) --gatehouse bench-users.json --trgm

# `make serve`'s gunicorn on loopback under wrk (Debian's package): 8 connections for
# BENCH_LOAD_SECONDS over a mix of table, search, detail and logs pages of the benchmark database.
BENCH_LOAD_SECONDS ?= 20
bench-load: static
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.load --duration $(BENCH_LOAD_SECONDS)

BENCH_LOGS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/gatehouse_bench_logs
bench-logs: static
	DATABASE_URL=$(BENCH_LOGS_DATABASE_URL) $(BIN)/python -m bench.logs

# What MFA enrolment and the sign-in's code step cost (a throw-away test database; SQLite unless
# DATABASE_URL says otherwise).
bench-mfa: install
	$(BIN)/python -W ignore -m bench.mfa --runs 30

# The embedded default: SQLite in its own file (the first run loads the users, ~1 min per 100,000).
BENCH_SQLITE_USERS ?= 100000
BENCH_SQLITE_DATABASE_URL ?= sqlite:///bench-sqlite.db
bench-sqlite: static
	DATABASE_URL=$(BENCH_SQLITE_DATABASE_URL) $(BIN)/python -m bench.sqlite --users $(BENCH_SQLITE_USERS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
