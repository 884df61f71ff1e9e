# Shared by scripts/run and scripts/test: make .venv once, reinstall when pyproject.toml changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Bothand needs Python 3.11 or newer as '$PYTHON' (set PYTHON=/path/to/python3.11)." >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    echo "First run: making .venv and installing Bothand's dependencies (about a minute)..." >&2
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.bothand-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "Installing Bothand into .venv (pyproject.toml changed or first run)..." >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
    echo "Installed." >&2
    touch "$stamp"
fi
