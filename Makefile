# CityCert task runner. `make demo` and `make test` are the two commands in the README.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test setup setup-dev system-deps lint typecheck pytest schemas bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

setup: $(BIN)/python system-deps
	$(BIN)/pip install -q -e .

setup-dev: $(BIN)/python system-deps
	$(BIN)/pip install -q -e '.[dev]'

# Debian packages: Chromium for the browser tests, Nanum fonts for Korean text in PDF reports,
# poppler-utils (pdftoppm) for the tests that look at rendered report pages.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi nanum \
	    || ! command -v pdftoppm >/dev/null 2>&1; then \
	  echo "Installing Debian packages (chromium, fonts-nanum, poppler-utils)..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-nanum poppler-utils >/dev/null; \
	fi

## The main job: the portal with bundled demo data on an embedded SQLite database.
demo: setup
	$(BIN)/citycert demo --serve --host $(HOST) --port $(PORT)

## The whole test suite: lint, type checks, tests (SQLite, and PostgreSQL when CITYCERT_TEST_POSTGRES_URL is set).
test: setup-dev
	$(MAKE) lint typecheck pytest

lint:
	$(BIN)/ruff check citycert tests bench
	$(BIN)/ruff format --check citycert tests bench

typecheck:
	$(BIN)/mypy

pytest:
	$(BIN)/pytest -n 2 -q

schemas:
	$(BIN)/citycert schema write

bench:
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
