#!/usr/bin/env bash
# Builds the NetworkPolicy oracle used by e2e/netpol-differential.e2e.test.ts, from the Go module
# proxy only, into ${KUBEWARD_CACHE:-$HOME/.cache/kubeward}/policy-assistant/. Idempotent.
#
#   bash scripts/testenv/policy-assistant.sh          # build if missing, print the binary path
#   bash scripts/testenv/policy-assistant.sh --print  # print the binary path, build nothing
#   bash scripts/testenv/policy-assistant.sh --print-pa  # print the policy-assistant binary path (ANP oracle)
#
# Which binary: policy-assistant (sigs.k8s.io/network-policy-api, cmd/policy-assistant) is not
# served by the Go module proxy: its go.mod names the module sigs.k8s.io/network-policy-api/policy-assistant
# while it lives in cmd/policy-assistant, so the proxy answers 404 for both paths. Its NetworkPolicy
# engine is cyclonus (github.com/mattfenwick/cyclonus, the project policy-assistant was forked from;
# pkg/matcher is the same code for NetworkPolicy v1), which the proxy serves: we build that.
# AdminNetworkPolicy has no oracle on the proxy; it is checked against the conformance corpus
# (scripts/conformance-netpol.ts) and, when a git mirror of kubernetes-sigs/network-policy-api is on
# the machine (KUBEWARD_NPAPI_MIRROR, default /work/.mirror/kubernetes-sigs+network-policy-api/repo),
# against policy-assistant itself: the second, optional build below exports cmd/policy-assistant
# from that mirror (git archive, no work tree needed) and builds it with its dependencies from the
# Go module proxy into policy-assistant-<commit>. Used by e2e/anp-differential.e2e.test.ts.
# Without the mirror it prints one line saying so and still exits 0.
set -euo pipefail

CYCLONUS_VERSION=v0.5.6
dir="${KUBEWARD_CACHE:-$HOME/.cache/kubeward}/policy-assistant"
bin="$dir/cyclonus-$CYCLONUS_VERSION"
mirror="${KUBEWARD_NPAPI_MIRROR:-/work/.mirror/kubernetes-sigs+network-policy-api/repo}"

pa_commit() { git -C "$mirror" rev-parse --verify -q 'HEAD^{commit}' 2>/dev/null; }
pa_bin() { local c; c="$(pa_commit)" || return 1; echo "$dir/policy-assistant-${c:0:12}"; }

if [ "${1:-}" = "--print" ]; then echo "$bin"; exit 0; fi
if [ "${1:-}" = "--print-pa" ]; then pa_bin || true; exit 0; fi

build_pa() {
  local c pa src
  if ! c="$(pa_commit)"; then
    echo "[policy-assistant] ANP oracle unavailable: no network-policy-api git mirror at $mirror (set KUBEWARD_NPAPI_MIRROR)" >&2
    return 0
  fi
  pa="$dir/policy-assistant-${c:0:12}"
  if [ -x "$pa" ]; then echo "$pa"; return 0; fi
  command -v go >/dev/null 2>&1 || { echo "[policy-assistant] go is required (Debian package golang-go)" >&2; exit 1; }
  src="$(mktemp -d)"
  mkdir -p "$dir"
  echo "[policy-assistant] building policy-assistant from $mirror at ${c:0:12} (nice, one compile at a time)" >&2
  (
    git -C "$mirror" archive "$c" cmd/policy-assistant | tar -x -C "$src"
    cd "$src/cmd/policy-assistant"
    export GOFLAGS="-p=${KUBEWARD_BUILD_JOBS:-1} -buildvcs=false -mod=mod"
    export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
    export CGO_ENABLED=0
    export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"
    nice -n 10 go build -trimpath -ldflags "-s -w" -o "$src/policy-assistant" ./cmd/policy-assistant
  ) || { rm -rf "$src"; exit 1; }
  mv "$src/policy-assistant" "$pa.partial.$$" && mv "$pa.partial.$$" "$pa"
  rm -rf "$src"
  echo "$pa"
}

if [ -x "$bin" ]; then echo "$bin"; build_pa; exit 0; fi

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
build_pa
