#!/usr/bin/env bash
# Installs the sandbox used by the execution stage (codepeft/execution/sandbox.py):
# Debian's `bubblewrap` (bwrap). Idempotent: does nothing when bwrap is already on PATH.
# Also reports whether a JDK (javac/java) and python3 are present for the Java/Python harnesses.
set -euo pipefail

if command -v bwrap >/dev/null 2>&1; then
    echo "sandbox: bwrap already installed: $(command -v bwrap) ($(bwrap --version 2>/dev/null || echo '?'))"
elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "sandbox: installing Debian package bubblewrap"
    if ! apt-get install -y --no-install-recommends bubblewrap >/dev/null 2>&1; then
        apt-get update -qq
        apt-get install -y --no-install-recommends bubblewrap
    fi
    echo "sandbox: installed $(command -v bwrap) ($(bwrap --version))"
else
    echo "sandbox: bwrap missing and cannot install it here (need root + apt-get)." >&2
    echo "sandbox: install your distribution's 'bubblewrap' package, or set" >&2
    echo "sandbox: execution.sandbox.fallback to 'unshare' or 'rlimit_only' (weaker; see docs/execution.md)." >&2
    exit 1
fi

# Smoke test: an isolated network namespace must refuse connections.
if bwrap --ro-bind / / --dev /dev --proc /proc --unshare-all --die-with-parent --tmpfs /tmp \
    true 2>/dev/null; then
    echo "sandbox: bwrap runs (namespaces available)"
else
    echo "sandbox: WARNING: bwrap is installed but cannot create namespaces here" \
        "(unprivileged user namespaces disabled?); see docs/execution.md" >&2
fi
for tool in python3 javac java; do
    if command -v "$tool" >/dev/null 2>&1; then
        echo "sandbox: found $tool: $(command -v "$tool")"
    else
        echo "sandbox: $tool not found (the harness for that language reports 'not computed')"
    fi
done
