#!/usr/bin/env bash
# Headless Chromium (Debian package `chromium`) for tests/workflow/test_report_browser.py, which opens
# results/report/index.html and Snakemake's HTML report and checks that they render.
# Idempotent: does nothing when a chromium binary is already on PATH. apt-get only as root.
set -euo pipefail

for name in chromium chromium-browser google-chrome; do
  if command -v "$name" >/dev/null 2>&1; then
    echo "chromium: already installed ($(command -v "$name"): $("$name" --version 2>/dev/null || echo unknown version))"
    exit 0
  fi
done

if [ "$(id -u)" -ne 0 ]; then
  echo "chromium: not installed and not root; install the Debian package 'chromium' (apt-get install chromium)" >&2
  echo "chromium: tests/workflow/test_report_browser.py will be skipped until then" >&2
  exit 0
fi

echo "chromium: installing the Debian package 'chromium' (headless use only)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium: installed $(chromium --version 2>/dev/null || echo '(version unknown)')"
