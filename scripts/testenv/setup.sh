#!/usr/bin/env bash
# Builds the binaries of the live-cluster test environment (kube-apiserver, etcd and,
# unless KUBEWARD_TESTENV_SKIP_KCM=1, kube-controller-manager) from their Go modules,
# through the Go module proxy only. Idempotent: binaries already in the cache are kept.
#
#   bash scripts/testenv/setup.sh            # build what is missing, print where it is
#   bash scripts/testenv/setup.sh --print    # print the binary directory, build nothing
#   bash scripts/testenv/setup.sh --with-kubectl   # also build kubectl (same version; for bench/)
#
# Cache: ${KUBEWARD_CACHE:-$HOME/.cache/kubeward}/testenv/<k8s version>/ (never in the repo).
# The test helper (test/helpers/testenv.ts) reads the versions from versions.env next to this file.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"

cache_root="${KUBEWARD_CACHE:-$HOME/.cache/kubeward}/testenv"
bin_dir="$cache_root/$K8S_VERSION"

with_kubectl="${KUBEWARD_TESTENV_WITH_KUBECTL:-0}"
for arg in "$@"; do
  case "$arg" in
    --print) echo "$bin_dir"; exit 0 ;;
    --with-kubectl) with_kubectl=1 ;;
    *) echo "[testenv] unknown argument: $arg (known: --print, --with-kubectl)" >&2; exit 2 ;;
  esac
done

log() { echo "[testenv] $*" >&2; }

need_tool() {
  if ! command -v "$1" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      log "installing $2 with apt-get"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
    else
      log "missing $1 (Debian package $2)"; exit 1
    fi
  fi
}
need_tool go golang-go

go_minor() { go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/'; }
if [ "$(go_minor)" -lt "$GO_MIN_MINOR" ]; then
  log "Go $(go env GOVERSION) is too old: k8s.io/kubernetes $K8S_VERSION needs go1.$GO_MIN_MINOR or newer"
  exit 1
fi

# 2 shared cores: be gentle by default (one compile at a time); CI, alone on the machine, sets
# KUBEWARD_BUILD_JOBS=2.
export GOFLAGS="-p=${KUBEWARD_BUILD_JOBS:-1} -buildvcs=false -mod=mod"
export GOTOOLCHAIN=local
export CGO_ENABLED=0
export GOPROXY="${GOPROXY:-https://proxy.golang.org,direct}"
build_ldflags="-s -w"

mkdir -p "$bin_dir"

# build_in_module NAME GO.MOD-CONTENT PACKAGE: builds PACKAGE into $bin_dir/NAME inside a
# throwaway main module. (k8s.io/kubernetes cannot be `go install`ed: its go.mod has replace
# directives for its staging modules, which Go honours only in a main module; so our main
# module requires k8s.io/kubernetes and replaces each staging module by its published tag.)
build_in_module() {
  local name="$1" gomod="$2" pkg="$3" ldflags="$build_ldflags ${4:-}"
  local work; work="$(mktemp -d "${TMPDIR:-/tmp}/kubeward-testenv-build-$name.XXXXXX")"
  printf '%s\n' "$gomod" >"$work/go.mod"
  # The tools pattern: a blank import (excluded from builds by its tag) makes `go mod tidy`
  # record every module the package needs.
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" >"$work/tools.go"
  log "resolving modules for $name in $work"
  if ! (cd "$work" && nice -n 15 go mod tidy >"$work/tidy.log" 2>&1); then
    tail -30 "$work/tidy.log" >&2; log "go mod tidy failed for $name (kept $work)"; exit 1
  fi
  local t0=$SECONDS
  log "building $name from $pkg (nice -n 15, GOFLAGS=$GOFLAGS)"
  (cd "$work" && nice -n 15 go build -trimpath -ldflags "$ldflags" -o "$bin_dir/$name.tmp" "$pkg")
  mv "$bin_dir/$name.tmp" "$bin_dir/$name"
  log "built $name in $((SECONDS - t0)) s"
  rm -rf "$work"
}

# The staging modules come from the replace block of k8s.io/kubernetes's own go.mod.
kube_staging_modules() {
  local mod
  mod="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')"
  [ -f "$mod" ] || { log "could not download the go.mod of k8s.io/kubernetes@$K8S_VERSION"; exit 1; }
  sed -n 's#^[[:space:]]*k8s.io/\([a-z0-9-]*\) => \./staging/.*#\1#p' "$mod"
}

kube_gomod() {
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local staging_ver="v0.$minor.${K8S_VERSION##*.}"
  echo "module kubeward.test/testenv-kube"
  echo
  echo "go 1.$GO_MIN_MINOR"
  echo
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo
  echo "replace ("
  for m in $(kube_staging_modules); do echo "	k8s.io/$m => k8s.io/$m $staging_ver"; done
  echo ")"
}

etcd_gomod() {
  echo "module kubeward.test/testenv-etcd"
  echo
  echo "go 1.$GO_MIN_MINOR"
  echo
  echo "require ("
  for m in server/v3 api/v3 client/pkg/v3 client/v3 pkg/v3; do echo "	go.etcd.io/etcd/$m $ETCD_VERSION"; done
  echo ")"
}

t_all=$SECONDS
if [ -x "$bin_dir/etcd" ] && [[ "$("$bin_dir/etcd" --version 2>/dev/null)" == "etcd Version: ${ETCD_VERSION#v}"* ]]; then
  log "etcd $ETCD_VERSION present"
else
  build_in_module etcd "$(etcd_gomod)" go.etcd.io/etcd/server/v3
fi

# What the Kubernetes release build stamps (hack/lib/version.sh), so /version and --version tell
# the real version instead of v0.0.0-master.
kube_version_ldflags() {
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local p=k8s.io/component-base/version
  echo "-X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean" \
    "-X $p.buildDate=1970-01-01T00:00:00Z"
}

kube_binaries=(kube-apiserver)
if [ "${KUBEWARD_TESTENV_SKIP_KCM:-0}" != 1 ]; then kube_binaries+=(kube-controller-manager); fi
for b in "${kube_binaries[@]}"; do
  if [ -x "$bin_dir/$b" ] && [ "$("$bin_dir/$b" --version 2>/dev/null)" = "Kubernetes $K8S_VERSION" ]; then
    log "$b $K8S_VERSION present"
  else
    build_in_module "$b" "$(kube_gomod)" "k8s.io/kubernetes/cmd/$b" "$(kube_version_ldflags)"
  fi
done

# kubectl (optional: the live-collection benchmark compares with it). cmd/kubectl of the same
# k8s.io/kubernetes module; kubectl also reads client-go's version stamp (its User-Agent).
if [ "$with_kubectl" = 1 ]; then
  if [ -x "$bin_dir/kubectl" ] && "$bin_dir/kubectl" version --client 2>/dev/null | grep -qx "Client Version: $K8S_VERSION"; then
    log "kubectl $K8S_VERSION present"
  else
    kubectl_ldflags="$(kube_version_ldflags)"
    kubectl_ldflags="$kubectl_ldflags ${kubectl_ldflags//k8s.io\/component-base\/version/k8s.io/client-go/pkg/version}"
    build_in_module kubectl "$(kube_gomod)" k8s.io/kubernetes/cmd/kubectl "$kubectl_ldflags"
  fi
fi

log "done in $((SECONDS - t_all)) s"
for b in etcd kube-apiserver kube-controller-manager kubectl; do
  if [ -x "$bin_dir/$b" ]; then log "$(du -h "$bin_dir/$b" | cut -f1)	$bin_dir/$b"; fi
done
echo "$bin_dir"
