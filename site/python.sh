# Sourced by backup.sh and restore.sh: the Python that runs the site. $PYTHON if set, else the python3 on PATH
# when it has Django (an activated or deployed virtualenv), else the repository's .venv.
if [[ -n "${PYTHON:-}" ]]; then
  python="$PYTHON"
elif command -v python3 >/dev/null && python3 -c "import django" 2>/dev/null; then
  python=python3
elif [[ -x .venv/bin/python ]]; then
  python=.venv/bin/python
else
  echo "$(basename "$0"): no Python with Django found: set PYTHON or run 'make install'" >&2
  exit 1
fi
