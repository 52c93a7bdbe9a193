# Weiyi: `make run` serves the demo, `make test` runs the whole suite (see README).
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PORT ?= 5000
export FLASK_APP := wsgi
PGBIN = $(shell ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PGDATA ?= /tmp/weiyi-pgtest
PGPORT ?= 5433

.PHONY: run test test-sqlite test-postgres install install-dev translations migrate demo browser postgres-start postgres-stop bench lint clean

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

run: demo
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

# Debian's chromium and a CJK font for the browser tests (Playwright cannot download a browser here).
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/wqy ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; fi

test: install-dev translations browser
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: install-dev
	$(BIN)/ruff check app tests tools bench config.py wsgi.py
	$(BIN)/bandit -q -r app -c pyproject.toml

bench: install-dev translations
	$(BIN)/python bench/page_sizes.py

clean:
	rm -rf $(VENV) instance .pytest_cache
