#!/usr/bin/env bash
# Checkstyle from Debian (`checkstyle` package; ships sun_checks.xml inside its jar).
# apt-get only when running as root and the package is missing. Idempotent.
set -euo pipefail
if command -v checkstyle >/dev/null 2>&1; then
  echo "checkstyle: already installed ($(command -v checkstyle))"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "checkstyle: not installed and not root; run: sudo apt-get install -y checkstyle" >&2
  exit 1
fi
echo "checkstyle: apt-get install -y checkstyle"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends checkstyle >/dev/null 2>&1 || {
  apt-get update >/dev/null
  apt-get install -y --no-install-recommends checkstyle >/dev/null
}
echo "checkstyle: installed ($(command -v checkstyle))"
