# Weiyi: `make run` serves the demo, `make test` runs the whole suite (see README).
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PORT ?= 5000
export FLASK_APP := wsgi
# A throwaway PostgreSQL cluster on loopback for the second run of the suite (see test-postgres).
PGDATA ?= /tmp/weiyi-pgtest
PGPORT ?= 5433
# Through the cluster's Unix socket (in PGDATA): a fifth less time per test than TCP on loopback.
PGTEST_URL := postgresql+psycopg://postgres@/weiyi_test?host=$(PGDATA)&port=$(PGPORT)
# Looked up when a recipe runs (the package may be installed by postgres-install first).
PGBIN = $$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
# As root (CI) the cluster belongs to the postgres user; otherwise to whoever runs make.
AS_PG := $(if $(filter 0,$(shell id -u)),runuser -u postgres --,)
# pytest-xdist: one worker per core (`TEST_WORKERS=0` runs the tests in one process), each with a
# database of its own (tests/__init__.py); a worker that finishes early takes tests from the other.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider --durations=10 -n $(TEST_WORKERS) --dist worksteal
# Compiled modules are kept (__pycache__, ignored by git) even where the environment says not to:
# each worker imports the whole app and suite, ~10 s of CPU per process when compiled anew.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-sqlite test-postgres install install-dev translations migrate demo browser system-packages postgres-install postgres-start postgres-stop bench bench-proof lint clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

translations: $(VENV)/.runtime
	$(BIN)/python tools/i18n.py compile

migrate: install translations
	mkdir -p instance
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo

# The outbox worker (reminders, digests, e-mail, SMS, group posts) runs beside gunicorn and stops with it.
run: demo
	$(BIN)/flask outbox work & worker=$$!; trap "kill $$worker" EXIT; \
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

# The Debian packages of the tests: chromium's headless shell and a CJK font for the browser tests
# (Playwright cannot download a browser here), PostgreSQL for the second run. Each target installs
# only what is missing; `make test` installs all of them in one apt call.
BROWSER_PACKAGES = chromium-headless-shell fonts-wqy-microhei
HAVE_BROWSER = [ -x /usr/bin/chromium-headless-shell ] && [ -d /usr/share/fonts/truetype/wqy ]
HAVE_POSTGRES = ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
APT_INSTALL = apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
APT_LOG := /tmp/weiyi-apt.log

browser:
	@if ! { $(HAVE_BROWSER); }; then $(APT_INSTALL) $(BROWSER_PACKAGES) >/dev/null; fi

system-packages:
	@packages="$$($(HAVE_BROWSER) || echo $(BROWSER_PACKAGES)) $$($(HAVE_POSTGRES) || echo postgresql)"; \
	if [ -n "$${packages// /}" ]; then $(APT_INSTALL) $$packages >/dev/null; fi

# Lint, then the whole suite on SQLite and again on PostgreSQL. Both runs happen even when the
# first fails; the target fails when either does. On a fresh machine the Debian packages are
# installed (one `apt-get update`, one apt call) while pip, translations and lint run. Lint is one
# process at a time: beside it one collection of the suite rewrites the test modules' asserts into
# __pycache__ (pytest's own cache, ~20 CPU-s), which each xdist worker would otherwise do again.
test:
	@$(MAKE) --no-print-directory system-packages >$(APT_LOG) 2>&1 & apt=$$!; \
	if ! $(MAKE) --no-print-directory install-dev translations; then wait $$apt; exit 1; fi; \
	$(BIN)/python -m pytest -q -p no:cacheprovider --collect-only >/dev/null 2>&1 & collect=$$!; \
	if ! $(MAKE) --no-print-directory lint; then wait $$apt $$collect; exit 1; fi; \
	wait $$collect; \
	if ! wait $$apt; then cat $(APT_LOG); echo "installing the Debian packages failed"; exit 1; fi; \
	status=0; \
	echo "== pytest on SQLite =="; \
	$(PYTEST) || status=1; \
	echo "== pytest on PostgreSQL ($(PGTEST_URL)) =="; \
	$(MAKE) --no-print-directory test-postgres || status=1; \
	exit $$status

test-sqlite: install-dev translations browser
	$(PYTEST) $(PYTEST_ARGS)

# Starts the cluster, runs the suite against it, and stops it whatever the result.
test-postgres: install-dev translations postgres-install
	@status=0; \
	if $(MAKE) --no-print-directory postgres-start; then \
	  TEST_DATABASE_URL='$(PGTEST_URL)' $(PYTEST) $(PYTEST_ARGS) || status=$$?; \
	else status=1; fi; \
	$(MAKE) --no-print-directory postgres-stop; \
	exit $$status

postgres-install:
	@if ! $(HAVE_POSTGRES); then $(APT_INSTALL) postgresql >/dev/null; fi

# A new cluster every time: trust authentication, 127.0.0.1 only, fsync off (test data only).
postgres-start: postgres-install
	@if [ -f $(PGDATA)/postmaster.pid ]; then $(AS_PG) $(PGBIN)/pg_ctl -D $(PGDATA) -w -m immediate stop || true; fi
	@rm -rf $(PGDATA)
	@if [ -n "$(AS_PG)" ]; then install -d -o postgres -g postgres -m 700 $(PGDATA); else install -d -m 700 $(PGDATA); fi
	@$(AS_PG) $(PGBIN)/initdb -D $(PGDATA) -A trust -U postgres -E UTF8 >/dev/null
	@$(AS_PG) $(PGBIN)/pg_ctl -D $(PGDATA) -w -l $(PGDATA)/log \
	  -o "-c listen_addresses=127.0.0.1 -p $(PGPORT) -k $(PGDATA) -c fsync=off -c max_connections=200" start >/dev/null
	@$(AS_PG) $(PGBIN)/createdb -h 127.0.0.1 -p $(PGPORT) -U postgres weiyi_test
	@echo "PostgreSQL on 127.0.0.1:$(PGPORT) ($(PGDATA))"

postgres-stop:
	@if [ -f $(PGDATA)/postmaster.pid ]; then $(AS_PG) $(PGBIN)/pg_ctl -D $(PGDATA) -w -m fast stop >/dev/null; fi
	@rm -rf $(PGDATA)
	@echo "PostgreSQL stopped"

# ruff (with the complexity limit), bandit, and mypy over app/ against mypy-baseline.txt.
lint: install-dev
	$(BIN)/ruff check app tests tools bench config.py wsgi.py
	$(BIN)/ruff format --check app tests tools bench config.py wsgi.py
	$(BIN)/bandit -q -r app config.py wsgi.py -c pyproject.toml
	$(BIN)/python tools/mypy_baseline.py

bench: install-dev translations
	$(BIN)/python bench/page_sizes.py

# Load, crash and throughput figures (README, "Load, faults and throughput"); run by hand.
bench-proof: install-dev translations
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python bench/list_throughput.py
	$(BIN)/python bench/ballot_storm.py
	$(BIN)/python bench/crash_storm.py

clean:
	rm -rf $(VENV) instance .pytest_cache
