#!/usr/bin/env bash
# The portal's catalogue service for the geodata infrastructure: pycsw (CSW 2.0.2, ISO application
# profile) from .venv/csw under gunicorn, its repository fed from the portal's ISO 19139 records by
# csw/sync.py (docs/dcat.md, "Geodata infrastructure").
#
# Usage: scripts/csw.sh start | stop | sync
#   start  feed the repository once, serve the CSW on 127.0.0.1:CSW_PORT and keep feeding it every
#          CSW_SYNC_SECONDS (only changed records are fetched)
#   sync   feed it once now (e.g. right after a harvest)
#   stop   stop both
#
# Settings (environment):
#   CSW_PORT          where it answers (default 8086)
#   CSW_PORTAL        the portal it is fed from (default CKAN_URL of .env)
#   CSW_URL           its public address, written into its capabilities (default http://127.0.0.1:CSW_PORT/csw)
#   CSW_DIR           its repository (SQLite) and logs (default var/csw)
#   CSW_RUN           its pid files (default var/run, which make stop clears)
#   CSW_SYNC_SECONDS  how often start's feed runs (default 300)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

: "${CSW_PORT:=8086}"
: "${CSW_PORTAL:=$(env_get CKAN_URL)}"
: "${CSW_URL:=http://127.0.0.1:$CSW_PORT/csw}"
: "${CSW_DIR:=$VAR/csw}"
: "${CSW_RUN:=$RUN}"
: "${CSW_SYNC_SECONDS:=300}"
CSW_VENV="$ROOT/.venv/csw"
# read by csw/pycsw.cfg (pycsw expands them) and by pycsw's WSGI application
export CSW_URL CSW_HOME="$CSW_DIR" CSW_DATABASE="sqlite:///$CSW_DIR/records.db" CSW_PORTAL_URL="${CSW_PORTAL%/}"
export PYCSW_CONFIG="$ROOT/csw/pycsw.cfg"

# feed [--every N]: csw/sync.py from the repository's root (package csw). It replaces the shell it runs
# in (exec), so call it in a subshell: then a background feed's pid is the one in csw-sync.pid.
feed() {
    [ -n "$CSW_PORTAL" ] || die "No portal to feed the CSW from." "Set CSW_PORTAL (or run make demo, which writes CKAN_URL into .env)."
    cd "$ROOT"
    exec "$CSW_VENV/bin/python" -m csw.sync --portal "$CSW_PORTAL" --config "$PYCSW_CONFIG" "$@"
}

stop_pid() {
    local file="$1" pid
    [ -f "$file" ] || return 0
    pid="$(cat "$file")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    rm -f "$file"
}

case "${1:-}" in
start)
    require_port_free "$CSW_PORT" "the catalogue service (CSW_PORT)"
    mkdir -p "$CSW_DIR" "$CSW_RUN"
    (feed) >>"$CSW_DIR/sync.log" 2>&1 || warn "Not every ISO record could be loaded into the CSW (log: $CSW_DIR/sync.log)."
    "$CSW_VENV/bin/gunicorn" --workers 2 --bind "127.0.0.1:$CSW_PORT" --pid "$CSW_RUN/csw.pid" \
        --access-logfile "$CSW_DIR/access.log" --error-logfile "$CSW_DIR/csw.log" \
        pycsw.wsgi:application >>"$CSW_DIR/csw.log" 2>&1 &
    server=$!
    trap 'kill -TERM "$server" 2>/dev/null' EXIT  # a server that does not answer is not left running
    wait_for_url "http://127.0.0.1:$CSW_PORT/csw?service=CSW&request=GetCapabilities" 60 "$server" "The CSW (pycsw)" "$CSW_DIR/csw.log"
    trap - EXIT
    (feed --every "$CSW_SYNC_SECONDS") >>"$CSW_DIR/sync.log" 2>&1 &
    echo $! >"$CSW_RUN/csw-sync.pid"
    ;;
sync) feed ;;
stop)
    stop_pid "$CSW_RUN/csw-sync.pid"
    stop_pid "$CSW_RUN/csw.pid"
    ;;
*) die "usage: scripts/csw.sh start | stop | sync" ;;
esac
