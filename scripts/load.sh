#!/usr/bin/env bash
# `make load`: 50 connections for 2 minutes against the running demo (make demo, in another
# terminal) while every harvest DAG runs; figures in docs/reliability.md. Fails on any error.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_packages wrk
url="$(env_get CKAN_URL)"
if [ -z "$url" ] || ! curl -fsS "$url/api/3/action/status_show" >/dev/null 2>&1; then
    die "No portal answers at ${url:-CKAN_URL (not set)}." "Start it with make demo in another terminal, then run make load."
fi
say "wrk: ${LOAD_CONNECTIONS:-50} connections for ${LOAD_SECONDS:-120} s on $url, every harvest DAG triggered beside it"
cd "$ROOT"
"$CKAN_VENV/bin/python" -m bench.load_bench "$url" --connections "${LOAD_CONNECTIONS:-50}" \
    --duration "${LOAD_SECONDS:-120}" --beside "scripts/airflow.sh harvest"
