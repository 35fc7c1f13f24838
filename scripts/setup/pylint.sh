#!/usr/bin/env bash
# Pylint 4.1.4 and Flake8 7.5.0 in their own venv (${CODEPEFT_TOOLS:-<repo>/.tools}/pylint-venv),
# as in envs/pylint.yaml: the analyzed code's imports then resolve the same way everywhere
# (not into whatever the project venv holds: torch, transformers, ...), which keeps the
# import-error counts reproducible and spares astroid from inferring into big libraries.
# Idempotent.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="${CODEPEFT_TOOLS:-$REPO/.tools}"
VENV="$TOOLS/pylint-venv"
PINS=("pylint==4.1.4" "flake8==7.5.0")
if [ -x "$VENV/bin/pylint" ] && [ -x "$VENV/bin/flake8" ] && "$VENV/bin/python" - <<'PY' 2>/dev/null
import importlib.metadata as m, sys
sys.exit(not (m.version("pylint") == "4.1.4" and m.version("flake8") == "7.5.0"))
PY
then
  echo "pylint: already installed at $VENV/bin/pylint (+ flake8)"
  exit 0
fi
PY="${PYTHON:-python3}"
mkdir -p "$TOOLS"
echo "pylint: creating $VENV with ${PINS[*]}"
"$PY" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "${PINS[@]}" 2>&1 | grep -v "^WARNING: Location" || true
version=$("$VENV/bin/pylint" --version) && echo "${version%%$'\n'*}"  # no pipe: head closing it early breaks pylint (EPIPE)
echo "pylint: installed at $VENV/bin/pylint (+ flake8)"
