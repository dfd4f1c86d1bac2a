# Libreria delle Buone Pratiche. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install setup run test lint check-deploy messages clean bench bench-import bench-search bench-export bench-queries eval-search test-elasticsearch

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its dev tools

messages: $(STAMP) ## compile the translation catalogues
	$(PY) manage.py compile_translations

setup: install messages ## migrate (SQLite unless DATABASE_URL) and load reference data and the demo library
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_demo_library

run: setup ## set up, then serve the site on http://127.0.0.1:$(PORT)
	$(PY) manage.py create_dev_superuser --port $(PORT)
	@echo "Library: http://127.0.0.1:$(PORT)/it/"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The suite builds its own databases (the dev database is not needed) and runs on PYTEST_WORKERS pytest-xdist
# workers, one per core by default; the browser tests stay together on one worker (--dist loadgroup).
# PYTEST_ARGS adds options, e.g. PYTEST_ARGS="-m 'not browser'" or PYTEST_WORKERS=0 for one process.
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
test: install messages ## run the whole test suite, in parallel (PYTEST_WORKERS, PYTEST_ARGS)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install ## ruff (lint and format), the layers' import contracts, templates and JS/CSS, the migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/djlint templates --lint
	test -d node_modules || npm ci --no-audit --no-fund --silent
	npm run --silent format:check
	$(PY) manage.py makemigrations --check --dry-run

# Django's deployment checklist against the production settings with the README's production environment
# (a throwaway key, a real-looking host): HSTS, HTTPS redirect, secure cookies, the key's strength.
check-deploy: install ## manage.py check --deploy with the production settings; warnings fail
	DJANGO_SETTINGS_MODULE=config.settings.production ALLOWED_HOSTS=$${ALLOWED_HOSTS:-libreria.example.org} \
	SECRET_KEY=$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')} \
	$(PY) manage.py check --deploy --fail-level WARNING

# Needs Docker able to pull the image, or ELASTICSEARCH_URL pointing at a cluster already running (then Docker
# is not used). Test indexes get a random prefix and are deleted afterwards.
test-elasticsearch: install ## the Elasticsearch tests against a real 9.x cluster (docker compose -f site/compose.yaml up elasticsearch)
	@set -e; if [ -z "$$ELASTICSEARCH_URL" ]; then docker compose -f site/compose.yaml up -d --wait elasticsearch; fi; \
	ELASTICSEARCH_URL=$${ELASTICSEARCH_URL:-http://127.0.0.1:9200} CI=true $(PY) -m pytest -m elasticsearch tests/test_elasticsearch.py

clean: ## remove the SQLite database, media and caches (keeps .venv)
	rm -rf db.sqlite3 db.sqlite3-* var .pytest_cache

eval-search: install ## search relevance (nDCG@10, recall@10 per query kind) on the judged dev set, SQLite and PostgreSQL
	tools/eval_search.sh

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

# The search benchmark reuses its database: importing BENCH_ENTRIES takes minutes, so it is done once and
# topped up only when the database holds fewer generated entries than asked for. ANALYZE because a server
# whose autovacuum is off, or has not run yet after the import, plans with empty statistics (seconds a query).
bench-search: install ## search latency p50/p95 on a kept database of BENCH_ENTRIES entries (SQLite, or a dedicated DATABASE_URL)
	@set -e; mkdir -p var/bench; \
	export DATABASE_URL=$${DATABASE_URL:-sqlite:///$(CURDIR)/var/bench/search.sqlite3} MEDIA_ROOT=$(CURDIR)/var/bench/media; \
	echo "database: $$DATABASE_URL (dedicated to the benchmark: entries are imported into it and kept)"; \
	case "$$DATABASE_URL" in postgres*) \
	  name=$${DATABASE_URL##*/}; name=$${name%%\?*}; \
	  psql "$$DATABASE_URL" -qc "SELECT 1" > /dev/null 2>&1 || \
	  psql "$${DATABASE_URL%/*}/postgres" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$$name\"";; esac; \
	$(PY) manage.py migrate --no-input -v0; \
	$(PY) manage.py load_reference_data > /dev/null; \
	$(PY) manage.py import_library ../shared/eval/search-dev-practices.jsonl > /dev/null; \
	have=$$($(PY) manage.py shell -v0 -c 'from practices.models import LibraryEntry as E; print(E.objects.filter(slug__startswith="bench-").count())'); \
	if [ "$$have" -lt $(BENCH_ENTRIES) ]; then \
	  echo "importing $(BENCH_ENTRIES) generated entries (the database holds $$have): this takes minutes, once"; \
	  entries=$$(mktemp --suffix=.jsonl); \
	  $(PY) manage.py generate_library $(BENCH_ENTRIES) --prefix bench > $$entries; \
	  /usr/bin/env time -f "import $(BENCH_ENTRIES): %e s, %M KB" $(PY) manage.py import_library $$entries > /dev/null; \
	  rm $$entries; fi; \
	case "$$DATABASE_URL" in postgres*) psql "$$DATABASE_URL" -qc ANALYZE;; esac; \
	$(PY) manage.py bench_search $(BENCH_SEARCH_OPTIONS)

# The side-by-side benchmark (tools/bench/run.py, README "Speed"): on a kept database of BENCH_ENTRIES entries
# (var/bench/site.sqlite3, or the PostgreSQL database of DATABASE_URL, dedicated to it), the library under
# gunicorn with the production settings, page cache off and on, beside a fixed-page Django ceiling under the
# same gunicorn settings; wrk drives each page BENCH_SECONDS on ports BENCH_PORT to BENCH_PORT+2 of 127.0.0.1.
BENCH_SECONDS ?= 10
BENCH_PORT ?= 8640
bench: install ## req/s, p50/p95/p99, queries and worker memory per page, uncached and cached, as shares of a Django ceiling
	$(PY) tools/bench/run.py --entries $(BENCH_ENTRIES) --seconds $(BENCH_SECONDS) --port $(BENCH_PORT) $(BENCH_OPTIONS)

# The exports' benchmark reads the same kept database as bench-search (the dev set and BENCH_ENTRIES generated
# entries), prepared the same way when it is missing.
bench-export: install ## streamed CSV/JSON/GeoJSON exports of 1,000 and BENCH_ENTRIES entries: time and peak memory (flat)
	@set -e; mkdir -p var/bench; \
	export DATABASE_URL=$${DATABASE_URL:-sqlite:///$(CURDIR)/var/bench/search.sqlite3} MEDIA_ROOT=$(CURDIR)/var/bench/media; \
	echo "database: $$DATABASE_URL (dedicated to the benchmarks: entries are imported into it and kept)"; \
	$(PY) manage.py migrate --no-input -v0; \
	$(PY) manage.py load_reference_data > /dev/null; \
	have=$$($(PY) manage.py shell -v0 -c 'from practices.models import LibraryEntry as E; print(E.objects.filter(slug__startswith="bench-").count())'); \
	if [ "$$have" -lt $(BENCH_ENTRIES) ]; then \
	  echo "importing $(BENCH_ENTRIES) generated entries (the database holds $$have): this takes minutes, once"; \
	  entries=$$(mktemp --suffix=.jsonl); \
	  $(PY) manage.py generate_library $(BENCH_ENTRIES) --prefix bench > $$entries; \
	  $(PY) manage.py import_library $$entries > /dev/null; \
	  rm $$entries; fi; \
	$(PY) manage.py bench_export --sizes 1000,$(BENCH_ENTRIES)

# The suite shows that page query counts stay flat from the demo library to 10 and 60 more entries; this runs
# the same test with QUERY_COUNT_ENTRIES (1,000 by default) generated entries, as the importer writes them.
QUERY_COUNT_ENTRIES ?= 1000
bench-queries: install ## page query counts on the demo library, then with QUERY_COUNT_ENTRIES more entries
	QUERY_COUNT_ENTRIES=$(QUERY_COUNT_ENTRIES) $(PY) -m pytest tests/test_query_counts.py -q -p no:cacheprovider
