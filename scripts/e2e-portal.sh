#!/usr/bin/env bash
# A throw-away portal for the pipeline tests: fresh databases, the demo's plugins and users, CKAN
# on E2E_PORT (default 5055). `start` writes var/e2e.env (CKAN_URL, CKAN_API_TOKEN) for the tests;
# `serve` starts CKAN again on the databases as they are (after a restore); `stop` stops it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
: "${E2E_PORT:=5055}"
export E2E_PORT

start() {
    require_port_free "$E2E_PORT" "the test portal"
    psql_admin -c "DROP DATABASE IF EXISTS ckan_e2e" -c "DROP DATABASE IF EXISTS datastore_e2e"
    ensure_database ckan_e2e ckan_default
    ensure_database datastore_e2e datastore_write
    rm -rf "$VAR/e2e-storage"
    "$ROOT/scripts/ckan-config.sh" e2e
    local ini="$VAR/e2e.ini" token
    token="$(CKAN_ADMIN_PASSWORD="$(env_secret CKAN_ADMIN_PASSWORD)" CKAN_API_TOKEN="" \
        "$CKAN_VENV/bin/python" "$ROOT/scripts/bootstrap_portal.py" "$ini" 2>/dev/null)"
    serve
    printf 'CKAN_URL=http://127.0.0.1:%s\nCKAN_API_TOKEN=%s\n' "$E2E_PORT" "${token#CKAN_API_TOKEN=}" >"$VAR/e2e.env"
}

serve() {
    require_port_free "$E2E_PORT" "the test portal"
    start_ckan "$VAR/e2e.ini" "$E2E_PORT" e2e-ckan 2
}

stop() {
    [ -f "$RUN/e2e-ckan.pid" ] || return 0
    local pid
    pid="$(cat "$RUN/e2e-ckan.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do  # gunicorn lets its workers finish their requests
        kill -0 "$pid" 2>/dev/null || break
        sleep 1
    done
    rm -f "$RUN/e2e-ckan.pid"
}

"${1:?usage: e2e-portal.sh start|serve|stop}"
