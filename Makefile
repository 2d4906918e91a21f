# Every target installs what it needs into .venv first, so a fresh clone needs only Python 3.11/3.12.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint lint-docker format typecheck openapi migrate seed bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## serve on http://127.0.0.1:8000 (embedded PostgreSQL unless DATABASE_URL is set)
	$(BIN)/detente serve

test: $(STAMP)  ## the whole suite (DATABASE_URL if set, else an embedded PostgreSQL)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lint-docker: $(STAMP)  ## hadolint (installed from PyPI by the dev extra) on the Dockerfile
	$(BIN)/hadolint Dockerfile

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

openapi: $(STAMP)  ## regenerate openapi.yaml from the app
	$(BIN)/detente openapi

migrate: $(STAMP)
	$(BIN)/detente db migrate

seed: $(STAMP)
	$(BIN)/detente db seed

BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(BENCH_STAMP)

# wrk comes from Debian: installed as root, or through sudo otherwise.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
bench: $(BENCH_STAMP)  ## service vs floor under wrk; builds the bench databases on first use (minutes)
	command -v wrk >/dev/null 2>&1 || $(SUDO) apt-get install -y wrk || \
		{ $(SUDO) apt-get update && $(SUDO) apt-get install -y wrk; }
	$(BIN)/python -m bench.load $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .detente .pytest_cache .mypy_cache .ruff_cache
