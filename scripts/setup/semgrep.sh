#!/usr/bin/env bash
# semgrep 1.185.0 in its own venv (${CODEPEFT_TOOLS:-<repo>/.tools}/semgrep-venv): it pins
# click/wrapt versions that conflict with the project venv. Runs offline with the project's
# local rule file (--metrics=off --disable-version-check). Idempotent.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="${CODEPEFT_TOOLS:-$REPO/.tools}"
VENV="$TOOLS/semgrep-venv"
VERSION="1.185.0"
if [ -x "$VENV/bin/semgrep" ] && "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('semgrep') != '$VERSION')" 2>/dev/null; then
  echo "semgrep: already installed at $VENV/bin/semgrep"
  exit 0
fi
PY="${PYTHON:-python3}"
mkdir -p "$TOOLS"
echo "semgrep: creating $VENV and installing semgrep==$VERSION"
"$PY" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "semgrep==$VERSION"
"$VENV/bin/semgrep" --version --disable-version-check
echo "semgrep: installed at $VENV/bin/semgrep"
