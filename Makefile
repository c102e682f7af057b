# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# `make run PORT=8080` serves on another port; links in e-mails and QR codes follow it.
PORT ?= 8000
PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
export PORTAL_BASE_URL
# The demo shows the portal's own error pages (404, 500 …), as people see them; `make run DEBUG=1`
# brings back Django's debug pages with their tracebacks.
DEBUG ?= 0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: cluster-test cluster-deps run test test-fast lint check system-deps browser-deps messages bench bench-demo loadtest clean help
.DEFAULT_GOAL := help

help:
	@echo "make run   - set up and serve the demo on SQLite at http://127.0.0.1:$(PORT)/ (PORT=8000)"
	@echo "make test  - lint, checks, the whole suite on PostgreSQL and SQLite, browser tests"

# -- setup ----------------------------------------------------------------------------------

$(VENV)/.installed: requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

# WeasyPrint needs HarfBuzz's subsetter (without it, PDFs are 3x slower and it warns).
system-deps:
	@if ! ldconfig -p | grep -q libharfbuzz-subset.so.0; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libharfbuzz-subset0 >/dev/null; \
	  else \
	    echo "hint: run 'sudo apt-get install libharfbuzz-subset0' (needed by WeasyPrint for PDFs)"; \
	  fi; \
	fi

# Tests need Debian's Chromium (Playwright cannot download browsers here), PostgreSQL 15,
# clamd (tests/security/test_uploads.py starts its own, with its own signature, no network), and
# nginx, openssl and systemd-analyze (tests/portal/test_deploy.py checks the deploy/ files), and
# haproxy (tests/portal/test_load_balancer.py runs deploy/haproxy/portal.cfg.template).
browser-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/lib/postgresql/15/bin/initdb ] || missing="$$missing postgresql-15"; \
	[ -x /usr/sbin/clamd ] || missing="$$missing clamav-daemon"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	[ -x /usr/bin/redis-server ] || missing="$$missing redis-server"; \
	[ -x /usr/sbin/haproxy ] || missing="$$missing haproxy"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	command -v systemd-analyze >/dev/null || missing="$$missing systemd"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "error: install$$missing first (sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

messages: $(VENV)/.installed
	$(MANAGE) compilemessages --ignore=$(VENV) -v0

db.sqlite3: $(VENV)/.installed
	$(MANAGE) migrate --noinput -v0

# -- the two commands -----------------------------------------------------------------------

run: system-deps $(VENV)/.installed messages
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) seed_demo
	DEBUG=$(DEBUG) $(MANAGE) runserver 127.0.0.1:$(PORT)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: $(VENV)/.installed messages
	DJANGO_SETTINGS_MODULE=portal.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=portal.settings.test $(MANAGE) makemigrations --check --dry-run

# PostgreSQL (a throwaway cluster) runs everything; SQLite, the `make run` database, runs the
# non-browser suite too. Browser and concurrency tests run on their own: they commit, and
# flush the database they use; concurrency needs PostgreSQL's row locks.
test: system-deps browser-deps $(VENV)/.installed messages lint check
	REQUIRE_DATABASE=postgresql scripts/with-postgres bash -c '\
	  $(VENV)/bin/pytest -n 2 -m "not browser and not postgres" -p no:cacheprovider && \
	  $(VENV)/bin/pytest -m "browser or postgres" -p no:cacheprovider'
	REQUIRE_DATABASE=sqlite $(VENV)/bin/pytest -n 2 -m "not browser and not postgres" -p no:cacheprovider -q

test-fast: $(VENV)/.installed messages
	$(VENV)/bin/pytest -n 2 -m "not browser and not postgres" -q

# Not a test: seeds 1,000 then 10,000 proposals on a throwaway PostgreSQL and times the pages.
bench: system-deps browser-deps $(VENV)/.installed messages
	scripts/with-postgres bash -c '$(PY) benchmarks/proposals.py --output docs/benchmarks.md && \
	  $(PY) benchmarks/catalogue.py --output docs/benchmarks.md'

# Not a test: the night a call closes, over HTTP, against the production settings, gunicorn, the
# db worker and a throwaway PostgreSQL (docs/benchmarks.md). A quick try at small scale:
#   make loadtest LOADTEST_ARGS="--researchers 30 --proposals 500 --burst 30 --duration 20"
LOADTEST_ARGS ?=
loadtest: system-deps $(VENV)/.installed messages
	scripts/with-postgres $(PY) benchmarks/loadtest.py --command 'make loadtest$(if $(LOADTEST_ARGS), LOADTEST_ARGS="$(LOADTEST_ARGS)")' $(LOADTEST_ARGS)

# Not a test: the rush through haproxy to two app servers, one SIGKILLed mid-way (benchmarks/cluster.py).
#   make cluster-test CLUSTER_ARGS="--researchers 60 --proposals 300 --burst 60"
cluster-deps:
	@missing=""; for b in haproxy redis-server; do command -v $$b >/dev/null || missing="$$missing $$b"; done; \
	if [ -n "$$missing" ]; then apt-get install -y -qq $$missing; fi

cluster-test: system-deps cluster-deps $(VENV)/.installed messages
	scripts/with-postgres $(PY) benchmarks/cluster.py --command 'make cluster-test CLUSTER_ARGS="$(CLUSTER_ARGS)"' $(CLUSTER_ARGS)

# Not a test: how long `seed_demo` takes on a fresh SQLite database, and the site search on it.
bench-demo: system-deps $(VENV)/.installed messages
	$(PY) benchmarks/demo_timings.py

clean:
	rm -rf $(VENV) staticfiles test-artifacts .pytest_cache .ruff_cache
