# Two commands on a fresh machine: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app portal
HOST ?= 127.0.0.1
PORT ?= 5000
TRANSLATIONS := portal/translations

INSTANCE := $(or $(PORTAL_INSTANCE_DIR),instance)

.PHONY: faults run test install install-test translations i18n-extract lint serve system-deps bench clean vendor-echarts \
	reset-demo vendor-axe

# $(call quiet,command): run it with its output kept back, shown only when it fails (the install says nothing
# unless something breaks). No commas in the command: make would split it.
quiet = log=$$(mktemp) && { $(1) ; } >"$$log" 2>&1 || { status=$$?; cat "$$log"; rm -f "$$log"; exit $$status; }; \
	rm -f "$$log"

$(VENV)/.installed: pyproject.toml
	@echo "Installing the portal into $(VENV) (the first time takes about a minute)..."
	@$(call quiet,test -x $(PY) || $(PYTHON) -m venv $(VENV))
	@$(call quiet,$(PY) -m pip install --upgrade pip)
	@$(call quiet,$(PY) -m pip install -e .)
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	@echo "Installing the test tools..."
	@$(call quiet,$(PY) -m pip install -e '.[test]')
	@touch $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

# The catalogues compile as part of install (the .mo files are build output, not committed).
translations: $(VENV)/.installed
	@$(call quiet,$(VENV)/bin/pybabel compile --statistics -d $(TRANSLATIONS))

# Refresh the template and the catalogues after adding user-facing strings.
i18n-extract: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o $(TRANSLATIONS)/messages.pot .
	$(VENV)/bin/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching

# `make run PORT=5001` (and HOST=0.0.0.0 to serve other machines of the network).
run: install
	@$(call quiet,$(FLASK) db upgrade)
	@echo "Loading the demo county if the database is empty (the first time takes about a minute)..."
	@$(FLASK) demo-if-empty
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C stops it)"
	@PORTAL_ENV=development $(FLASK) run --host $(HOST) --port $(PORT)

# `make reset-demo`, then `make run`: the demo county from nothing. Only the default SQLite database (and the
# audit checkpoints that belong to its chain) is removed; a PostgreSQL database is dropped by its owner.
reset-demo:
	@if [ -n "$$PORTAL_DATABASE_URL" ]; then \
		echo "PORTAL_DATABASE_URL is set: drop and create that database yourself, then run make run."; exit 1; fi
	rm -f $(INSTANCE)/portal.db $(INSTANCE)/portal.db-wal $(INSTANCE)/portal.db-shm
	rm -rf $(INSTANCE)/audit-checkpoints
	@echo "Demo database removed: make run builds the demo county again."

# Browser tests need Debian's chromium (Playwright cannot download its own browser here), CJK fonts
# for readable screenshots and poppler for PDF checks. Installed when missing and we are root.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || missing="$$missing fonts-wqy-microhei"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
		else echo "warning: missing system packages:$$missing (browser tests will be skipped)"; fi; \
	fi

# ruff, then the architecture's contracts (.importlinter: layers, pure rules, no import circles; ARCHITECTURE.md).
lint: install-test
	$(VENV)/bin/ruff check portal tests benchmarks migrations/env.py
	$(VENV)/bin/lint-imports

# `make test`: lint, then the whole suite on SQLite, then again on PostgreSQL when
# PORTAL_TEST_DATABASE_URL names a database on a server we may create databases on.
test: install-test system-deps lint
	env -u PORTAL_TEST_DATABASE_URL $(PY) -m pytest -n 2 -q -p no:cacheprovider
	@if [ -n "$$PORTAL_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		$(PY) -m pytest -n 2 -q -p no:cacheprovider; \
	fi

# `make faults`: the kill-mid-write trials, FAULT_TRIALS per use case (default 20) on SQLite, then on PostgreSQL
# when PORTAL_TEST_DATABASE_URL is set; each trial's outcome is appended to instance/faults-<db>.jsonl.
FAULT_TRIALS ?= 20
faults: install-test
	env -u PORTAL_TEST_DATABASE_URL PORTAL_FAULT_TRIALS=$(FAULT_TRIALS) PORTAL_FAULT_REPORT=$(CURDIR)/instance/faults-sqlite.jsonl \
		$(PY) -m pytest -q -p no:cacheprovider -m faults tests/faults
	@if [ -n "$$PORTAL_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		PORTAL_FAULT_TRIALS=$(FAULT_TRIALS) PORTAL_FAULT_REPORT=$(CURDIR)/instance/faults-postgresql.jsonl \
			$(PY) -m pytest -q -p no:cacheprovider -m faults tests/faults; \
	fi

# Apache ECharts for the auditor's desk, vendored from its npm package (the portal serves it itself: no CDN,
# and `make run` needs no node). Refresh with `make vendor-echarts` (ECHARTS=echarts@6 by default).
ECHARTS ?= echarts@6
vendor-echarts:
	@command -v npm >/dev/null || { echo "vendor-echarts needs npm"; exit 1; }
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	(cd "$$tmp" && npm pack --silent $(ECHARTS) >/dev/null && tar xzf echarts-*.tgz) && \
	mkdir -p static/vendor/echarts && \
	cp "$$tmp/package/dist/echarts.min.js" "$$tmp/package/LICENSE" "$$tmp/package/NOTICE" static/vendor/echarts/ && \
	version=$$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$$tmp/package/package.json" | head -1) && \
	printf 'Apache ECharts %s\nfrom the npm package echarts@%s (dist/echarts.min.js, LICENSE and NOTICE; Apache-2.0)\nrefreshed by `make vendor-echarts` on %s\n' \
		"$$version" "$$version" "$$(date -u +%Y-%m-%d)" > static/vendor/echarts/VERSION && \
	cat static/vendor/echarts/VERSION

# axe-core for the browser tests (tests/browser/conftest.py runs it on every page they open), vendored from its npm
# package so the tests need no network and no node. Refresh with `make vendor-axe` (AXE=axe-core@4 by default).
AXE ?= axe-core@4
AXE_DIR := tests/browser/vendor/axe-core
vendor-axe:
	@command -v npm >/dev/null || { echo "vendor-axe needs npm"; exit 1; }
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	(cd "$$tmp" && npm pack --silent $(AXE) >/dev/null && tar xzf axe-core-*.tgz) && \
	mkdir -p $(AXE_DIR) && \
	cp "$$tmp/package/axe.min.js" "$$tmp/package/LICENSE" "$$tmp/package/LICENSE-3RD-PARTY.txt" $(AXE_DIR)/ && \
	version=$$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$$tmp/package/package.json" | head -1) && \
	printf 'axe-core %s\nfrom the npm package axe-core@%s (axe.min.js, LICENSE and LICENSE-3RD-PARTY.txt; MPL-2.0)\nrefreshed by `make vendor-axe` on %s\n' \
		"$$version" "$$version" "$$(date -u +%Y-%m-%d)" > $(AXE_DIR)/VERSION && \
	cat $(AXE_DIR)/VERSION

bench: install-test
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
