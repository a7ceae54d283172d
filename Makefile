# Everyday commands. `make run` starts the portal; `make test` checks everything.
#
# The virtualenv lives in .venv and is created on first use; requirements are
# reinstalled only when requirements*.txt change (stamp file in .venv).

PYTHON      ?= python3
PORT        ?= 8000
PYTEST_ARGS ?=

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements-installed
MANAGE := $(PY) manage.py

.PHONY: help venv run migrate test lint worker beat clean distclean

help:
	@echo "make run        set up .venv and var/, load the illustrative data, serve on 127.0.0.1:$(PORT)"
	@echo "make test       lint + type check + migration check, then the test suite (PYTEST_ARGS=...)"
	@echo "make lint       ruff, mypy and makemigrations --check only"
	@echo "make migrate    apply database migrations"
	@echo "make worker     Celery worker (needs REDIS_URL)"
	@echo "make beat       Celery beat scheduler (needs REDIS_URL)"
	@echo "make clean      remove caches and collected static files (keeps .venv and var/)"
	@echo "make distclean  clean, and also remove .venv and var/ (the local database)"

# --- Environment ------------------------------------------------------------

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(STAMP)

# --- Running ------------------------------------------------------------------

run: venv
	mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) load_policy --illustrative
	$(MANAGE) recompute_indicators --from 2025-07-30 --every week
	$(MANAGE) recompute_indicators
	$(MANAGE) build_datapackage
	$(MANAGE) ensure_admin
	$(MANAGE) runserver 127.0.0.1:$(PORT)

migrate: venv
	mkdir -p var
	$(MANAGE) migrate --noinput

worker: venv
	$(VENV)/bin/celery -A policy_portal worker -l info

beat: venv
	mkdir -p var
	$(VENV)/bin/celery -A policy_portal beat -l info --schedule var/celerybeat-schedule

# --- Checks -------------------------------------------------------------------

lint: venv
	mkdir -p var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(MANAGE) makemigrations --check --dry-run

test: lint
	$(PY) -m pytest $(PYTEST_ARGS)

# --- Cleaning -----------------------------------------------------------------

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis staticfiles

distclean: clean
	rm -rf $(VENV) var
