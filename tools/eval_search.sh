#!/usr/bin/env bash
# Search relevance on the judged dev set (../shared/eval), on a fresh database per backend:
# migrate, load reference data, import the 60 dev entries, serve, run the scorer.
# SQLite always; PostgreSQL too when it answers (a throwaway database, dropped at the end).
#   EVAL_DIR      where the judged set lives        (default ../shared/eval)
#   EVAL_BACKENDS which backends to measure         (default "sqlite postgres")
#   PGHOST/PGUSER the PostgreSQL server             (default 127.0.0.1 / postgres)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
EVAL_DIR=${EVAL_DIR:-../shared/eval}
EVAL_BACKENDS=${EVAL_BACKENDS:-sqlite postgres}
PGHOST=${PGHOST:-127.0.0.1}
PGUSER=${PGUSER:-postgres}
work=$(mktemp -d)
pg_db="libreria_eval_$$"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  psql -h "$PGHOST" -U "$PGUSER" -d postgres -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

evaluate() {  # $1 backend label; DATABASE_URL is exported
  echo "=== $1: fresh database, 60 dev entries"
  "$PY" manage.py migrate --no-input -v0
  "$PY" manage.py load_reference_data >/dev/null
  "$PY" manage.py import_library "$EVAL_DIR/search-dev-practices.jsonl" >/dev/null
  local port; port=$(free_port)
  DJANGO_SETTINGS_MODULE=config.settings.dev "$PY" manage.py runserver "127.0.0.1:$port" --noreload >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v2/pages/?limit=1" >/dev/null && break; sleep 0.2; done
  "$PY" "$EVAL_DIR/search_eval.py" --base-url "http://127.0.0.1:$port" --queries "$EVAL_DIR/search-dev-queries.jsonl" ${EVAL_ARGS:-}
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

export MEDIA_ROOT="$work/media"
for backend in $EVAL_BACKENDS; do
  case $backend in
    sqlite)
      DATABASE_URL="sqlite:///$work/eval.sqlite3" evaluate SQLite ;;
    postgres)
      if ! psql -h "$PGHOST" -U "$PGUSER" -d postgres -qc "CREATE DATABASE $pg_db" >/dev/null 2>&1; then
        echo "=== PostgreSQL: not reachable at $PGUSER@$PGHOST, skipped"; continue
      fi
      DATABASE_URL="postgres://$PGUSER@$PGHOST:5432/$pg_db" evaluate PostgreSQL ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
done
