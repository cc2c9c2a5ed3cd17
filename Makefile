# Osaamo — `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
B ?=

.PHONY: run test lint check-types pytest bench node-deps install install-test demo worker messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Node packages are only for tests (third-party verifiers, axe-core) and benchmarks.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: tests that need Node.js will be skipped (CI installs it)"; fi

node-deps: node_modules/.installed

run: install
	$(BIN)/osaamo migrate --noinput
	$(BIN)/osaamo load_demo
	@echo "Osaamo: http://$(HOST):$(PORT)/  (demo accounts: see README.md)"
	@$(BIN)/osaamo db_worker & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(BIN)/osaamo runserver $(HOST):$(PORT)

worker: install
	$(BIN)/osaamo db_worker

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench || true

check-types: install-test
	$(BIN)/mypy

pytest: install-test node-deps
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test: install-test node-deps
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/osaamo makemigrations --check --dry-run
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: install-test node-deps
	@set -e; for f in bench/$(if $(B),$(B),*).py; do \
	  case $$f in */_*) continue;; esac; echo "== $$f"; $(BIN)/python $$f; done

messages: install-test
	cd src/osaamo && ../../$(BIN)/osaamo makemessages -l fi -l sv -l en --no-obsolete --add-location file
	cd src/osaamo && ../../$(BIN)/osaamo compilemessages

clean:
	rm -rf $(VENV) node_modules var
