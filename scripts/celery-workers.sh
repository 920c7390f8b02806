#!/usr/bin/env bash
# Airflow's Celery workers as separate processes, as docker/compose.yaml runs `airflow-worker`
# containers: started by scripts/airflow.sh when AIRFLOW_EXECUTOR=CeleryExecutor (make demo) and by
# the Celery tests (tests/pipelines/test_celery_deployment.py), with Airflow's settings in the
# environment (scripts/airflow-env.sh, or the test's).
#
# Usage: scripts/celery-workers.sh start | stop
#
# Worker N (1 … AIRFLOW_CELERY_WORKERS, default 2) is `airflow celery worker` named worker-N, in a
# process group of its own (pid file $RUN/airflow-worker-N.pid, log $AIRFLOW_HOME/logs/worker-N.log),
# with AIRFLOW_WORKER_CONCURRENCY task slots (default 4). It serves the queue `default` and its own
# queue `worker-N`, and has its own local folder $AIRFLOW_HOME/workers/worker-N as TMPDIR, where its
# tasks keep their temporary files: the workers share nothing but the pipeline store
# (CHEMNITZ_PIPELINE_STORE, dags/pipelines/store.py) and Airflow's log folder. They do not serve
# their logs over HTTP (port 8793 would be taken twice on one machine): the API server reads them
# from the log folder.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
: "${AIRFLOW_CELERY_WORKERS:=2}"
: "${AIRFLOW_WORKER_CONCURRENCY:=4}"
: "${AIRFLOW_HOME:?the Airflow settings must be in the environment (scripts/airflow-env.sh)}"
: "${WORKER_PIDS:=$RUN}"

start() {
    mkdir -p "$AIRFLOW_HOME/logs" "$WORKER_PIDS"
    local n name folder
    for n in $(seq 1 "$AIRFLOW_CELERY_WORKERS"); do
        name="worker-$n" folder="$AIRFLOW_HOME/workers/worker-$n"
        mkdir -p "$folder"
        TMPDIR="$folder" setsid "$AIRFLOW_VENV/bin/airflow" celery worker --celery-hostname "$name@%h" \
            --queues "default,$name" --concurrency "$AIRFLOW_WORKER_CONCURRENCY" --skip-serve-logs \
            --without-mingle --without-gossip >"$AIRFLOW_HOME/logs/$name.log" 2>&1 &
        echo $! >"$WORKER_PIDS/airflow-$name.pid"
    done
    for n in $(seq 1 "$AIRFLOW_CELERY_WORKERS"); do
        name="worker-$n"
        for _ in $(seq 1 180); do
            grep -q "$name@.* ready\." "$AIRFLOW_HOME/logs/$name.log" 2>/dev/null && break
            kill -0 "$(cat "$WORKER_PIDS/airflow-$name.pid")" 2>/dev/null \
                || die "Celery worker $name did not start (log: $AIRFLOW_HOME/logs/$name.log)." "Read the log."
            sleep 1
        done
        grep -q "$name@.* ready\." "$AIRFLOW_HOME/logs/$name.log" \
            || die "Celery worker $name was not ready within 180 s (log: $AIRFLOW_HOME/logs/$name.log)."
    done
}

stop() {
    local file pid
    for file in "$WORKER_PIDS"/airflow-worker-*.pid; do
        [ -e "$file" ] || continue
        pid="$(cat "$file")"
        kill -TERM -- "-$pid" 2>/dev/null || true  # warm shutdown: running tasks finish first
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
        kill -KILL -- "-$pid" 2>/dev/null || true
        rm -f "$file"
    done
}

"${1:?usage: celery-workers.sh start|stop}"
