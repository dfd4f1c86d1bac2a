# Libreria delle Buone Pratiche. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install setup run test lint messages clean

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
