#!/usr/bin/env bash
# The AWS emulator of the cloud e2e test (e2e/aws-moto.e2e.test.ts): moto's server mode, in a
# cached Python virtual environment, installed from PyPI only. Idempotent.
#
#   bash scripts/testenv/moto.sh             # install if missing, print the venv directory
#   bash scripts/testenv/moto.sh --print     # print the venv directory, install nothing
#   bash scripts/testenv/moto.sh run PORT    # (install if missing and) run moto_server on 127.0.0.1:PORT in the foreground
#
# Cache: ${KUBEWARD_CACHE:-$HOME/.cache/kubeward}/moto/<version>/ (never in the repo).
set -euo pipefail

MOTO_VERSION=5.2.5
venv="${KUBEWARD_CACHE:-$HOME/.cache/kubeward}/moto/$MOTO_VERSION"

log() { echo "[moto] $*" >&2; }

if [ "${1:-}" = "--print" ]; then echo "$venv"; exit 0; fi

install() {
  if [ -x "$venv/bin/moto_server" ] && "$venv/bin/python" -c "import moto, sys; sys.exit(0 if moto.__version__ == '$MOTO_VERSION' else 1)" 2>/dev/null; then
    return 0
  fi
  local py
  py="$(command -v python3 || true)"
  if [ -z "$py" ]; then log "python3 is required (Debian: apt-get install python3 python3-venv)"; exit 1; fi
  log "creating $venv with $("$py" --version 2>&1)"
  rm -rf "$venv.tmp"
  mkdir -p "$(dirname "$venv")"
  if ! "$py" -m venv "$venv.tmp" >/dev/null 2>&1; then log "python3 -m venv failed (Debian: apt-get install python3-venv)"; exit 1; fi
  local t0=$SECONDS
  nice -n 10 "$venv.tmp/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
  rm -rf "$venv"
  mv "$venv.tmp" "$venv"
  # The venv scripts carry the .tmp path in their shebang: call them through the venv's python.
  log "installed moto $MOTO_VERSION in $((SECONDS - t0)) s"
}

install
if [ "${1:-}" = "run" ]; then
  port="${2:-5000}"
  exec "$venv/bin/python" -m moto.server -H 127.0.0.1 -p "$port"
fi
echo "$venv"
