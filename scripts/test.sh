#!/usr/bin/env bash
# Set up the development environment if needed, then run lint, import contracts, types and
# the test suite.
# Usage: ./scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${FILMBOT_VENV:-.venv}
PYTHON=${PYTHON:-python3}
# FilmBot needs Python 3.11+: say so in one line instead of failing inside pip or at import.
CHECKED=$PYTHON
[ -x "$VENV/bin/python" ] && CHECKED=$VENV/bin/python
if ! "$CHECKED" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "FilmBot needs Python 3.11 or newer; $CHECKED is $("$CHECKED" --version 2>/dev/null || echo 'not found')" >&2
    exit 2
fi
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import filmbot, pytest, ruff, mypy, importlinter" 2>/dev/null \
    || [ pyproject.toml -nt "$VENV/.filmbot-installed" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[dev]"
    touch "$VENV/.filmbot-installed"
fi

echo "== ruff check"
"$VENV/bin/ruff" check .
echo "== ruff format --check"
"$VENV/bin/ruff" format --check .
echo "== import contracts (lint-imports)"
"$VENV/bin/lint-imports" --no-cache
echo "== mypy (strict, src)"
"$VENV/bin/mypy"
echo "== pytest"
"$VENV/bin/python" -m pytest --cov=filmbot --cov-report=term --cov-fail-under=80 "$@"
