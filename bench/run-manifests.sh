#!/usr/bin/env bash
# kubeward vs Polaris vs Checkov on $KUBEWARD_CORPORA/perf (default ../shared/corpora/perf).
# Installs/checks the peers first (cached), then runs bench/run-manifests.mjs; arguments go to
# it (--reps N, --tools kubeward,polaris,checkov, --corpora DIR, --no-write). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/setup-peers.sh >&2
exec node bench/run-manifests.mjs "$@"
