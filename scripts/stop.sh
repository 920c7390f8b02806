#!/usr/bin/env bash
# `make stop`: stop what `make demo` started (the portal, the SolrCloud of scripts/solr.sh, and
# PostgreSQL/Redis only if it started them). Every service keeps its pid file in var/run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
quiet="${1:-}"

stop_pidfile() {
    local file="$1" pid
    [ -f "$file" ] || return 0
    pid="$(cat "$file")"
    if kill -0 "$pid" 2>/dev/null; then
        [ -n "$quiet" ] || say "Stopping $(basename "$file" .pid) (pid $pid)"
        # Components started with setsid lead their own process group: stop their children too.
        local target="$pid"
        [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ] && target="-$pid"
        kill -TERM -- "$target" 2>/dev/null || true
        for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL -- "$target" 2>/dev/null || true
    fi
    rm -f "$file"
}

# nginx in front of the demo's CKAN (scripts/demo.sh) keeps its pid in its own folder
PROXY_DIR="$VAR/demo-proxy" "$ROOT/scripts/proxy.sh" stop
for pidfile in "$RUN"/*.pid; do
    [ -e "$pidfile" ] && stop_pidfile "$pidfile"
done
if [ -f "$RUN/started-services" ]; then
    if grep -qx redis "$RUN/started-services" && redis_ready; then
        [ -n "$quiet" ] || say "Stopping Redis (started by make demo)"
        "$PYTHON" -c 'import socket; s=socket.create_connection(("127.0.0.1", '"$REDIS_PORT"')); s.sendall(b"SHUTDOWN NOSAVE\r\n")' || true
    fi
    if grep -qx postgres "$RUN/started-services"; then
        [ -n "$quiet" ] || say "Stopping PostgreSQL (started by make demo)"
        for version in $(ls /etc/postgresql 2>/dev/null); do
            as_root pg_ctlcluster --skip-systemctl-redirect "$version" main stop 2>/dev/null || true
        done
    fi
    rm -f "$RUN/started-services"
fi
