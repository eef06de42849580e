# The two set-up commands (README): `make run` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
export REGTL_DATABASE_URL ?= sqlite:///./data/regtimeline.db

.PHONY: install run test bench wrk lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# The generated-client check (tests/clients, docs/api-clients.md) needs two more tool sets.
# Node.js: the pinned openapi-typescript, openapi-fetch and tsc, `npm ci` from the lock
# whenever node_modules is missing or package*.json changed (the stamp lives inside
# node_modules, so deleting that folder reinstalls). Node.js itself comes from apt-get
# (Debian, as root) only when `node` or `npm` is not on PATH.
NPM_DIR   := tests/clients/typescript
NPM_STAMP := $(NPM_DIR)/node_modules/.installed
# openapi-python-client in a venv of its own: it requires typer<0.28, and our CLI pins 0.29.2.
GEN_VENV  := $(VENV)/openapi-python-client
GEN_STAMP := $(GEN_VENV)/.installed

$(NPM_STAMP): $(NPM_DIR)/package.json $(NPM_DIR)/package-lock.json
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
	  echo "Node.js/npm not found: installing them (apt-get install -y nodejs npm)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; \
	fi
	cd $(NPM_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The page tests (tests/page, docs/page.md) drive Debian's Chromium through Playwright, never
# a browser of Playwright's own (`playwright install` is not used): the package is installed
# with apt-get (Debian, as root or through passwordless sudo) whenever the browser is missing.
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	@echo "Chromium not found: installing it (apt-get install -y chromium)"
	@if [ "$$(id -u)" = 0 ]; then AS=""; else AS="sudo -n"; fi; \
	  $$AS apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$AS apt-get install -y -qq chromium

$(GEN_STAMP): tests/clients/generator-requirements.txt
	$(PYTHON) -m venv $(GEN_VENV)
	$(GEN_VENV)/bin/pip install --quiet -r tests/clients/generator-requirements.txt
	touch $@

.PHONY: clients
clients: $(NPM_STAMP) $(GEN_STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/regtl db upgrade
	$(BIN)/python -m services.cli.devstart $(HOST) $(PORT)
	$(BIN)/regtl serve --host $(HOST) --port $(PORT)

test: lint $(NPM_STAMP) $(GEN_STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

test-unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

bench: $(STAMP) wrk
	$(BIN)/python -m tests.bench

# The HTTP figures are measured with wrk (Debian's package): installed here when missing,
# as root or through passwordless sudo; otherwise one line says so and those figures fail.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then AS=""; else AS="sudo -n"; fi; \
	  command -v apt-get >/dev/null 2>&1 && $$AS apt-get update -qq >/dev/null 2>&1 && \
	  $$AS apt-get install -y -qq wrk >/dev/null 2>&1 && echo "installed wrk ($$(command -v wrk))"; \
	} || echo "make bench: wrk is missing and could not be installed (needs apt-get as root: apt-get install -y wrk); the HTTP figures will fail" >&2

# ruff (rules and formatting) and mypy strict: `make test` runs it first, CI too.
lint: $(STAMP)
	$(BIN)/ruff check domain projections services tests
	$(BIN)/ruff format --check domain projections services tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data
