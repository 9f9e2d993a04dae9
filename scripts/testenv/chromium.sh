#!/usr/bin/env bash
# Debian's Chromium for the e2e test of the HTML report (e2e/html-report.e2e.test.ts drives it with
# playwright-core, a devDependency that never downloads a browser of its own).
#
#   bash scripts/testenv/chromium.sh      # apt-get install chromium when missing (root)
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then echo "Chromium present: $(chromium --version 2>/dev/null || echo chromium)"; exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "chromium.sh: Chromium is missing and installing it needs root (apt-get install chromium)" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null || { echo "chromium.sh: chromium installed but not on PATH" >&2; exit 1; }
echo "Chromium installed: $(chromium --version 2>/dev/null || echo chromium)"
