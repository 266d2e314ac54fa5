#!/usr/bin/env bash
# Install FilmBot into a local virtual environment if needed, then start it (`filmbot run`).
# Settings come from the environment and ./.env (see .env.example). Extra arguments go to `filmbot run`.
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
if ! "$VENV/bin/python" -c "import filmbot" 2>/dev/null || [ pyproject.toml -nt "$VENV/.filmbot-installed" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[redis]"
    touch "$VENV/.filmbot-installed"
fi
if [ ! -f .env ]; then
    echo "No .env found: copy .env.example to .env and set DISCORD_TOKEN and TMDB_API_KEY." >&2
fi
exec "$VENV/bin/filmbot" run "$@"
