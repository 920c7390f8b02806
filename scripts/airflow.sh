#!/usr/bin/env bash
# Airflow for `make demo`: set up the metadata database, start the components (with the
# CeleryExecutor also the workers, scripts/celery-workers.sh), and run every harvest DAG once.
#
# Usage: scripts/airflow.sh start | harvest
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/airflow-env.sh"
airflow="$AIRFLOW_VENV/bin/airflow"

start() {
    require_port_free "$AIRFLOW_PORT" "Airflow's web UI and API"
    mkdir -p "$AIRFLOW_HOME/logs"
    "$AIRFLOW_VENV/bin/python" - "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE" "$(env_secret AIRFLOW_ADMIN_PASSWORD)" <<'PY'
import json, sys
with open(sys.argv[1], "w") as handle:
    json.dump({"admin": sys.argv[2]}, handle)
PY
    "$airflow" db migrate >"$AIRFLOW_HOME/logs/db-migrate.log" 2>&1 \
        || die "Migrating Airflow's database failed (log: $AIRFLOW_HOME/logs/db-migrate.log)." "Read the log and run make demo again."
    local component
    for component in api-server scheduler dag-processor triggerer; do
        setsid "$airflow" "$component" >"$AIRFLOW_HOME/logs/$component.log" 2>&1 &
        echo $! >"$RUN/airflow-$component.pid"
    done
    wait_for_url "http://127.0.0.1:$AIRFLOW_PORT/api/v2/monitor/health" 120 "$(cat "$RUN/airflow-api-server.pid")" \
        "Airflow's API server" "$AIRFLOW_HOME/logs/api-server.log"
    if [ "$AIRFLOW__CORE__EXECUTOR" = CeleryExecutor ]; then
        say "Starting $AIRFLOW_CELERY_WORKERS Celery workers (AIRFLOW_EXECUTOR=CeleryExecutor in .env)"
        "$ROOT/scripts/celery-workers.sh" start
    fi
}

# harvest: trigger every harvest DAG once and wait until all runs have finished.
harvest() {
    local dags=() config dag_id
    for config in "$ROOT"/schemas/sources/*.yaml; do
        dags+=("harvest_$(basename "$config" .yaml)")
    done
    for dag_id in "${dags[@]}"; do
        for _ in $(seq 1 90); do  # the DAG processor needs a moment to parse new DAGs
            "$airflow" dags details "$dag_id" >/dev/null 2>&1 && break
            sleep 2
        done
        "$airflow" dags trigger "$dag_id" >/dev/null || warn "could not trigger $dag_id (see Airflow's import errors)"
    done
    "$AIRFLOW_VENV/bin/python" -m pipelines.wait_for_runs "${dags[@]}"
}

"${1:?usage: airflow.sh start|harvest}"
