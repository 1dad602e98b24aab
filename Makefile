# Regietafel: `make run` starts everything embedded, `make test` runs the whole suite.
# Every target creates .venv and installs what is missing first.

PYTHON ?= python3.11
# Extras installed with the project: the development tools here, none in the image
# (the Dockerfile runs these same install steps with EXTRAS empty; a test checks it).
EXTRAS ?= [dev]
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# NL Design System design tokens from the npm registry (services/casework/web/theme), served
# from /static/nlds/. Without npm the pages keep their fallback colours (ADR 0023).
THEME := services/casework/web/theme
THEME_STAMP := $(THEME)/node_modules/.installed
PYTEST_ARGS ?=
# Playwright drives Debian's Chromium (/usr/bin/chromium); it never downloads a browser.
# Without chromium the browser tests skip, naming: apt-get update && apt-get install -y chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run test test-browser lint format install assets clean-data bench bench-quick bundle help

help:
	@echo "make run    - start Regietafel embedded (PostgreSQL, worker, policy engine in-process)"
	@echo "make test   - lint, type-check and run the whole test suite"
	@echo "make lint   - ruff check, ruff format --check, mypy --strict, import contracts"
	@echo "make test-browser - only the browser tests (Chromium; screenshots in build/screenshots)"
	@echo "make bench  - run the benchmarks in tests/benchmarks/ (docs/benchmarks.md)"
	@echo "make bench-quick - the load, policy and cost benchmarks with short steps"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.$(EXTRAS)'
	@touch $(STAMP)

install: $(STAMP) assets

$(THEME_STAMP): $(THEME)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(THEME) --no-audit --no-fund --ignore-scripts --loglevel=error && touch $(THEME_STAMP); \
	else \
		echo "npm not found: the pages use their built-in colours instead of the NL Design System tokens"; \
	fi

assets: $(THEME_STAMP)

run: $(STAMP) assets
	$(BIN)/regietafel run

lint: $(STAMP)
	$(BIN)/ruff check services tenants analytics tests
	$(BIN)/ruff format --check services tenants analytics tests
	$(BIN)/mypy --strict services tenants analytics
	$(BIN)/lint-imports

test: lint assets
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-browser: $(STAMP) assets
	$(BIN)/pytest -s tests/browser $(PYTEST_ARGS)

format: $(STAMP)
	$(BIN)/ruff format services tenants analytics tests
	$(BIN)/ruff check --fix services tenants analytics tests

bench: $(STAMP)
	@for script in tests/benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

bench-quick: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_load.py --quick
	$(BIN)/python tests/benchmarks/bench_policy.py --rounds 5
	$(BIN)/python tests/benchmarks/bench_cost.py --rounds 10

bundle: $(STAMP)
	$(BIN)/regietafel policy bundle --output build/opa/regietafel.tar.gz --manifests tenants/manifests

clean-data:
	rm -rf .regietafel
