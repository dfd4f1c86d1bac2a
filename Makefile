# Libreria delle Buone Pratiche. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install setup run test lint messages clean bench-import

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its dev tools

messages: $(STAMP) ## compile the translation catalogues
	@if [ -d locale ]; then $(PY) manage.py compilemessages --ignore=.venv -v0; fi

setup: install messages ## migrate (SQLite unless DATABASE_URL) and load reference data and the demo library
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_demo_library

run: setup ## set up, then serve the site on http://127.0.0.1:$(PORT)
	$(PY) manage.py create_dev_superuser --port $(PORT)
	@echo "Library: http://127.0.0.1:$(PORT)/it/"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup ## set up, then run the whole test suite
	$(PY) -m pytest

lint: install ## ruff and the migrations check
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

clean: ## remove the SQLite database, media and caches (keeps .venv)
	rm -rf db.sqlite3 db.sqlite3-* var .pytest_cache

BENCH_ENTRIES ?= 10000
bench-import: install ## time reference data, demo and imports (60 dev entries, then BENCH_ENTRIES) on a fresh database
	@set -e; dir=$$(mktemp -d); export DATABASE_URL=$${DATABASE_URL:-sqlite:///$$dir/bench.sqlite3} MEDIA_ROOT=$$dir/media; \
	echo "database: $$DATABASE_URL (it must be empty)"; \
	$(PY) manage.py migrate --no-input -v0; \
	for step in "load_reference_data" "load_reference_data" "load_demo_library" \
	            "import_library ../shared/eval/search-dev-practices.jsonl" "generate_library $(BENCH_ENTRIES) --prefix bench"; do \
	  if [ "$${step%% *}" = generate_library ]; then $(PY) manage.py $$step > $$dir/entries.jsonl; continue; fi; \
	  /usr/bin/env time -f "$$step: %e s, %M KB" $(PY) manage.py $$step > /dev/null; done; \
	/usr/bin/env time -f "import $(BENCH_ENTRIES): %e s, %M KB" $(PY) manage.py import_library $$dir/entries.jsonl > /dev/null; \
	/usr/bin/env time -f "re-import $(BENCH_ENTRIES) unchanged: %e s, %M KB" $(PY) manage.py import_library $$dir/entries.jsonl > /dev/null; \
	rm -rf $$dir
