#!/usr/bin/env bash
# A throw-away portal for the pipeline tests: fresh databases, the demo's plugins and users, CKAN
# on E2E_PORT (default 5055). `start` writes var/e2e.env (CKAN_URL, CKAN_API_TOKEN) for the tests;
# `stop` stops it.
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
    CKAN_INI="$ini" "$CKAN_VENV/bin/gunicorn" --chdir "$ROOT/scripts" --workers 2 --timeout 120 \
        --bind "127.0.0.1:$E2E_PORT" --pid "$RUN/e2e-ckan.pid" --error-logfile "$VAR/e2e-ckan.log" \
        wsgi:application >>"$VAR/e2e-ckan.log" 2>&1 &
    for _ in $(seq 1 90); do
        curl -fsS "http://127.0.0.1:$E2E_PORT/api/3/action/status_show" >/dev/null 2>&1 && break
        sleep 1
    done
    curl -fsS "http://127.0.0.1:$E2E_PORT/api/3/action/status_show" >/dev/null \
        || die "The test portal did not start (log: $VAR/e2e-ckan.log)." "Read the log."
    printf 'CKAN_URL=http://127.0.0.1:%s\nCKAN_API_TOKEN=%s\n' "$E2E_PORT" "${token#CKAN_API_TOKEN=}" >"$VAR/e2e.env"
}

stop() {
    [ -f "$RUN/e2e-ckan.pid" ] || return 0
    kill -TERM "$(cat "$RUN/e2e-ckan.pid")" 2>/dev/null || true
    rm -f "$RUN/e2e-ckan.pid"
}

"${1:?usage: e2e-portal.sh start|stop}"
