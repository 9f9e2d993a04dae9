#!/usr/bin/env bash
# Scaling benchmark of `kubeward scan` on synthetic clusters (5k / 50k / 200k objects and the
# issue target 50,000 pods in 2,000 namespaces). See bench/README.md. Arguments go to
# bench/run-scale.mjs (--sizes, --no-target, --reps N, --seed S, --no-write).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/time -v true >/dev/null 2>&1; then
  echo "GNU time missing: run bash bench/setup-peers.sh (installs the Debian package 'time')" >&2
  exit 2
fi
exec node bench/run-scale.mjs "$@"
