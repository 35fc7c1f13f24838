#!/usr/bin/env bash
# R (Debian r-base-core) for the statistics cross-checks (tests/unit/test_stats_r.py compares
# codepeft.stats with R's mcnemar.test, wilcox.test and p.adjust). Optional: the tests skip
# without Rscript. Idempotent; apt-get only as root and only when Rscript is missing.
set -euo pipefail

if command -v Rscript >/dev/null 2>&1; then
    echo "r.sh: Rscript present: $(Rscript --version 2>&1 | head -n1)"
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "r.sh: Rscript missing and not root: install r-base-core (Debian) to run the R cross-checks" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# another installer may hold the dpkg lock: wait for it (up to 10 minutes)
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends r-base-core
echo "r.sh: installed $(Rscript --version 2>&1 | head -n1)"
