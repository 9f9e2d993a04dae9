#!/usr/bin/env bash
# Install the peer scanners used by the benchmarks (Polaris, Checkov) into a
# cache directory, plus GNU time for /usr/bin/time -v.
#
# Idempotent: a peer that is already installed at the pinned version is not
# touched again. Prints the versions at the end.
#
#   bash bench/setup-peers.sh            # install / check
#   bash bench/setup-peers.sh --print-env  # also print `export ...` lines
#
# Environment:
#   KUBEWARD_CACHE     cache root (default $HOME/.cache/kubeward)
#   KUBEWARD_PEERS     peers dir  (default $KUBEWARD_CACHE/peers)
#   POLARIS_VERSION    Go module version of github.com/fairwindsops/polaris
#   CHECKOV_VERSION    PyPI version of checkov
#   POLARIS_BIN        an already available polaris binary to use instead of
#                      installing one (it is linked into $KUBEWARD_PEERS/bin)
#   SKIP_POLARIS=1 / SKIP_CHECKOV=1   do not try to install that peer
#
# Only package registries are used: the Go module proxy for Polaris, PyPI for
# Checkov, Debian for GNU time.
set -euo pipefail

CACHE="${KUBEWARD_CACHE:-$HOME/.cache/kubeward}"
PEERS="${KUBEWARD_PEERS:-$CACHE/peers}"
BIN="$PEERS/bin"
# Polaris tags (v10.x) live in a module without a /v10 suffix, so the Go
# module proxy can only serve them as pseudo-versions. This one is tag
# v10.2.2 (commit dafa0b74fc09, 2026-08-06).
POLARIS_VERSION="${POLARIS_VERSION:-v0.0.0-20260806161001-dafa0b74fc09}"
POLARIS_MODULE="github.com/fairwindsops/polaris"
CHECKOV_VERSION="${CHECKOV_VERSION:-3.3.30}"
NICE="nice -n 10"

mkdir -p "$BIN"
log() { printf '[setup-peers] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- GNU time
if ! /usr/bin/time -v true >/dev/null 2>&1; then
  log "installing GNU time (Debian package 'time')"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq time >/dev/null
fi

# ---------------------------------------------------------------- Polaris
polaris_ok() { [ -x "$BIN/polaris" ] && "$BIN/polaris" version >/dev/null 2>&1; }

install_polaris() {
  local stamp="$PEERS/.polaris-version"
  if [ -n "${POLARIS_BIN:-}" ]; then
    [ -x "$POLARIS_BIN" ] || { log "POLARIS_BIN=$POLARIS_BIN is not executable"; return 1; }
    log "using POLARIS_BIN=$POLARIS_BIN"
    ln -sf "$(readlink -f "$POLARIS_BIN")" "$BIN/polaris"
    echo "external:$(readlink -f "$POLARIS_BIN")" >"$stamp"
    return 0
  fi
  if polaris_ok; then
    case "$(cat "$stamp" 2>/dev/null)" in
      "$POLARIS_VERSION") log "Polaris $POLARIS_VERSION already installed"; return 0 ;;
      external:*) log "Polaris already provided ($(cat "$stamp")); set POLARIS_BIN to change it"; return 0 ;;
    esac
  fi
  command -v go >/dev/null || { log "go not found: cannot install Polaris"; return 1; }
  log "go install $POLARIS_MODULE@$POLARIS_VERSION (GOBIN=$BIN)"
  if GOBIN="$BIN" GOFLAGS=-mod=mod $NICE go install \
       -ldflags "-X main.Version=$POLARIS_VERSION" \
       "$POLARIS_MODULE@$POLARIS_VERSION"; then
    echo "$POLARIS_VERSION" >"$stamp"; return 0
  fi
  # go install refuses modules whose go.mod has replace directives: download
  # the module (Go module proxy only) into a throw-away module and build it there.
  log "go install failed; trying go mod download + go build in a temp module"
  local tmp; tmp="$(mktemp -d)"
  if ( cd "$tmp" && go mod init kubeward-bench-polaris >/dev/null 2>&1 \
       && { $NICE go mod download -json "$POLARIS_MODULE@$POLARIS_VERSION" >dl.json \
            || { grep '"Error"' dl.json >&2; false; }; } \
       && dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' dl.json)" \
       && [ -n "$dir" ] && cp -r "$dir" src && chmod -R u+w src && cd src \
       && GOFLAGS=-mod=mod $NICE go build -ldflags "-X main.Version=$POLARIS_VERSION" \
            -o "$BIN/polaris" . ); then
    rm -rf "$tmp"; echo "$POLARIS_VERSION" >"$stamp"; return 0
  fi
  rm -rf "$tmp"
  return 1
}

if [ "${SKIP_POLARIS:-0}" != 1 ]; then
  if ! install_polaris; then
    if polaris_ok; then
      log "WARNING: could not install Polaris $POLARIS_VERSION; keeping the existing $BIN/polaris"
    else
      log "WARNING: Polaris is not available (the Go module proxy did not serve $POLARIS_MODULE@$POLARIS_VERSION)."
      log "         Provide a binary with POLARIS_BIN=/path/to/polaris bash bench/setup-peers.sh;"
      log "         the benchmarks skip Polaris without it."
    fi
  fi
fi

# ---------------------------------------------------------------- Checkov
VENV="$PEERS/checkov-venv"
checkov_version() { "$VENV/bin/checkov" --version 2>/dev/null | tail -n1; }
if [ "${SKIP_CHECKOV:-0}" != 1 ]; then
  if [ -x "$VENV/bin/checkov" ] && [ "$(checkov_version)" = "$CHECKOV_VERSION" ]; then
    log "Checkov $CHECKOV_VERSION already installed"
  else
    log "installing checkov==$CHECKOV_VERSION into $VENV (takes a few minutes)"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    $NICE "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    $NICE "$VENV/bin/python" -m pip install -q --disable-pip-version-check "checkov==$CHECKOV_VERSION"
  fi
  ln -sf "$VENV/bin/checkov" "$BIN/checkov"
fi

# ---------------------------------------------------------------- report
echo "peers dir: $PEERS"
if [ -x "$BIN/polaris" ]; then
  echo "polaris:   $("$BIN/polaris" version 2>&1 | tr '\n' ' ')"
else
  echo "polaris:   NOT INSTALLED"
fi
if [ -x "$BIN/checkov" ]; then
  echo "checkov:   $("$BIN/checkov" --version 2>&1 | tail -n1)"
else
  echo "checkov:   NOT INSTALLED"
fi
echo "time:      $(/usr/bin/time --version 2>&1 | head -n1)"
if [ "${1:-}" = "--print-env" ]; then
  echo "export PATH=\"$BIN:\$PATH\""
fi
