#!/usr/bin/env bash
# Builds the NetworkPolicy oracle used by e2e/netpol-differential.e2e.test.ts, from the Go module
# proxy only, into ${KUBEWARD_CACHE:-$HOME/.cache/kubeward}/policy-assistant/. Idempotent.
#
#   bash scripts/testenv/policy-assistant.sh          # build if missing, print the binary path
#   bash scripts/testenv/policy-assistant.sh --print  # print the binary path, build nothing
#
# Which binary: policy-assistant (sigs.k8s.io/network-policy-api, cmd/policy-assistant) is not
# served by the Go module proxy: its go.mod names the module sigs.k8s.io/network-policy-api/policy-assistant
# while it lives in cmd/policy-assistant, so the proxy answers 404 for both paths. Its NetworkPolicy
# engine is cyclonus (github.com/mattfenwick/cyclonus, the project policy-assistant was forked from;
# pkg/matcher is the same code for NetworkPolicy v1), which the proxy serves: we build that.
# AdminNetworkPolicy has no oracle on the proxy; it is checked against the conformance corpus
# (scripts/conformance-netpol.ts) instead.
set -euo pipefail

CYCLONUS_VERSION=v0.5.6
dir="${KUBEWARD_CACHE:-$HOME/.cache/kubeward}/policy-assistant"
bin="$dir/cyclonus-$CYCLONUS_VERSION"

if [ "${1:-}" = "--print" ]; then echo "$bin"; exit 0; fi
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

command -v go >/dev/null 2>&1 || { echo "[policy-assistant] go is required (Debian package golang-go)" >&2; exit 1; }
mkdir -p "$dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export GOFLAGS="-p=${KUBEWARD_BUILD_JOBS:-1} -buildvcs=false -mod=mod"
export GOTOOLCHAIN=local
export CGO_ENABLED=0
export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"
export GOBIN="$tmp"
echo "[policy-assistant] building github.com/mattfenwick/cyclonus/cmd/cyclonus@$CYCLONUS_VERSION (nice, one compile at a time)" >&2
(cd "$tmp" && nice -n 10 go install -ldflags "-s -w" "github.com/mattfenwick/cyclonus/cmd/cyclonus@$CYCLONUS_VERSION")
mv "$tmp/cyclonus" "$bin"
echo "$bin"
