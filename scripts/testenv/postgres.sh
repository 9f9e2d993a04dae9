#!/usr/bin/env bash
# A throwaway PostgreSQL server for the e2e tests of `kubeward audit serve --store postgresql://...`.
#
#   bash scripts/testenv/postgres.sh install          # apt-get install postgresql when missing (root)
#   bash scripts/testenv/postgres.sh start DIR [PID]  # initdb + start on 127.0.0.1:<free port>;
#                                                     # prints the connection URL as the last line;
#                                                     # with PID: stopped when that process exits
#   bash scripts/testenv/postgres.sh stop DIR
#
# The server runs as a non-root user (postgres, else nobody) when started by root, listens on
# 127.0.0.1 only (no Unix socket), trusts local connections (test data only) and keeps everything in
# DIR. Debian's packaged cluster (if any) is not touched.
set -euo pipefail

find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

cmd="${1:-}"
case "$cmd" in
  install)
    if find_bin >/dev/null; then echo "PostgreSQL present: $(find_bin)"; exit 0; fi
    if [ "$(id -u)" != 0 ]; then echo "postgres.sh: PostgreSQL is missing and installing it needs root (apt-get install postgresql)" >&2; exit 1; fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    find_bin >/dev/null || { echo "postgres.sh: postgresql installed but initdb/pg_ctl not found" >&2; exit 1; }
    echo "PostgreSQL installed: $(find_bin)"
    ;;
  start)
    dir="${2:?usage: postgres.sh start DIR [PID]}"
    watch_pid="${3:-}"
    bin="$(find_bin)" || { echo "postgres.sh: PostgreSQL is not installed: run \`bash scripts/testenv/postgres.sh install\` (apt-get install postgresql)" >&2; exit 3; }
    mkdir -p "$dir"
    run=()
    if [ "$(id -u)" = 0 ]; then
      user=postgres
      id -u "$user" >/dev/null 2>&1 || user=nobody
      chown "$user" "$dir"
      chmod 700 "$dir"
      run=(setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups --)
    fi
    port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
    "${run[@]}" "$bin/initdb" -D "$dir/data" -U kubeward --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
      || "${run[@]}" "$bin/initdb" -D "$dir/data" -U kubeward --auth=trust --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
      || { echo "postgres.sh: initdb failed:" >&2; tail -20 "$dir/initdb.log" >&2; exit 1; }
    "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='' -c fsync=on -c max_connections=50" start >/dev/null \
      || { echo "postgres.sh: pg_ctl start failed:" >&2; tail -20 "$dir/postgres.log" >&2; exit 1; }
    "${run[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U kubeward -d postgres -qAtc "CREATE DATABASE kubeward" >/dev/null
    if [ -n "$watch_pid" ]; then
      # Stop the server when the test process goes away, however it goes.
      # Arguments: $1 the PID to watch, $2 the bin dir, $3 DIR, then the setpriv prefix (if any).
      nohup setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; "${@:4}" "$2/pg_ctl" -D "$3/data" -m immediate stop >/dev/null 2>&1' \
        _ "$watch_pid" "$bin" "$dir" "${run[@]}" >/dev/null 2>&1 &
    fi
    echo "postgresql://kubeward@127.0.0.1:$port/kubeward"
    ;;
  stop)
    dir="${2:?usage: postgres.sh stop DIR}"
    bin="$(find_bin)" || exit 0
    [ -f "$dir/data/postmaster.pid" ] || exit 0
    run=()
    if [ "$(id -u)" = 0 ]; then
      user="$(stat -c %U "$dir/data")"
      run=(setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups --)
    fi
    "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 install | start DIR [PID] | stop DIR" >&2
    exit 2
    ;;
esac
