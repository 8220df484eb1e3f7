# Shequ (社区) — the two commands of the README:
#
#   make demo   venv + install (requirements.lock) + fonts + npm assets + migrate +
#               collectstatic + demo district, then serve on http://127.0.0.1:$(PORT)
#   make test   test deps + fonts + chromium + assets, then ruff, makemigrations --check,
#               pytest on SQLite, on PostgreSQL (when reachable; mandatory with CI=true)
#               and the browser tests (scripts/test_all.sh)
#
# Every step leaves a stamp, so a second `make demo` only migrates, loads nothing
# new and starts the server.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3.11
PORT ?= 8000
WORKERS ?= 3
TICK_EVERY ?= 60
VENV := .venv
BIN := $(VENV)/bin
VAR := $(if $(SHEQU_VAR_DIR),$(SHEQU_VAR_DIR),var)
VENDOR := src/shequ/static/vendor

STAMP_VENV := $(BIN)/python
STAMP_INSTALL := $(VENV)/.shequ-installed
STAMP_INSTALL_TEST := $(VENV)/.shequ-installed-test
STAMP_NPM := node_modules/.shequ-npm-ci
STAMP_ASSETS := $(VENDOR)/.built
STAMP_STATIC := $(VAR)/static/.collected
OWN_STATIC := $(shell find src/shequ -path '*/static/*' -type f -not -path '$(VENDOR)/*' 2>/dev/null)

.PHONY: help demo serve test install install-test assets static fonts chromium lock clean

help:
	@echo "make demo   install, build assets, migrate, load the demo district, serve on :$(PORT)"
	@echo "make test   ruff, makemigrations --check, pytest on SQLite + PostgreSQL + browser"
	@echo "make serve  serve the already-installed app (gunicorn, $(WORKERS) workers, shequ tick every $(TICK_EVERY) s)"
	@echo "make lock   re-pin requirements.lock from the ranges in pyproject.toml"
	@echo "make clean  remove .venv, node_modules and built assets (keeps $(VAR)/: data and keys)"

# --- Python -----------------------------------------------------------------------------

$(STAMP_VENV):
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: Shequ needs Python 3.11 (set PYTHON=...)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP_INSTALL): $(STAMP_VENV) pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e .
	@touch $@

$(STAMP_INSTALL_TEST): $(STAMP_INSTALL) pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test]'
	@touch $@

install: $(STAMP_INSTALL)
install-test: $(STAMP_INSTALL_TEST)

# --- Debian packages (installed only when missing and running as root) -------------------

fonts:
	@scripts/ensure_system_packages.sh fonts

chromium:
	@scripts/ensure_system_packages.sh chromium

# --- Front-end assets from npm (no CDN) -------------------------------------------------

$(STAMP_NPM): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 20 (apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMP_ASSETS): $(STAMP_NPM) scripts/build_assets.py
	$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) scripts/build_assets.py
	@touch $@

assets: $(STAMP_ASSETS)

$(STAMP_STATIC): $(STAMP_INSTALL) $(STAMP_ASSETS) $(OWN_STATIC)
	$(BIN)/shequ collectstatic --noinput --verbosity 0
	@touch $@

static: $(STAMP_STATIC)

# --- The two commands -------------------------------------------------------------------

demo: install fonts static
	$(BIN)/shequ migrate --noinput
	$(BIN)/shequ demo
	@$(MAKE) serve

serve: install static
	@echo "Shequ serving on http://127.0.0.1:$(PORT)/  (API docs /api/docs, health /healthz; Ctrl-C stops)"
	@echo "Periodic work: shequ tick every $(TICK_EVERY) s beside the server (escalations, reminders, outbox, audit sealing)"
	exec env BIN=$(BIN) PORT=$(PORT) WORKERS=$(WORKERS) TICK_EVERY=$(TICK_EVERY) scripts/serve.sh

test: install-test fonts chromium assets
	scripts/test_all.sh

# --- Maintenance ------------------------------------------------------------------------

lock:
	rm -rf $(VAR)/lock-venv
	$(PYTHON) -m venv $(VAR)/lock-venv
	$(VAR)/lock-venv/bin/pip install --quiet -e '.[test]'
	{ echo "# Pinned constraints for Shequ's runtime and test dependencies (Python 3.11)."; \
	  echo "# Used as: pip install -c requirements.lock -e '.[test]'   (ranges live in pyproject.toml)."; \
	  echo "# Regenerate with \`make lock\` after changing a range; see docs/dependencies.md."; \
	  $(VAR)/lock-venv/bin/pip freeze --exclude-editable; } > requirements.lock
	rm -rf $(VAR)/lock-venv
	@echo "requirements.lock re-pinned; run 'make test' before committing it"

clean:
	rm -rf $(VENV) node_modules $(VENDOR) src/*.egg-info
