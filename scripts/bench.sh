#!/usr/bin/env bash
# `make bench`: benchmarks on scratch databases; figures go to docs/benchmarks.md. Not at the same
# time as `make test` (both use the test portal's port and the replicas' ports).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/prepare.sh"
say "Scratch database ckan_bench (replaced on every run)"
psql_admin -c "DROP DATABASE IF EXISTS ckan_bench" -c "CREATE DATABASE ckan_bench OWNER ckan_default"
"$ROOT/scripts/ckan-config.sh" bench
cd "$ROOT"
say "Search benchmark"
"$CKAN_VENV/bin/python" -m bench.search_bench "$@"
say "DCAT benchmark (/catalog.ttl, dcat_ap_de against euro_dcat_ap_3)"
"$CKAN_VENV/bin/python" -m bench.dcat_bench "$@"
say "Parking benchmark (a year of occupancy history in the DataStore, /parken)"
"$CKAN_VENV/bin/python" -m bench.parking_bench
say "Pipeline benchmark (replicas, a throw-away portal on :${E2E_PORT:-5055})"
"$ROOT/scripts/e2e-portal.sh" stop
"$ROOT/scripts/e2e-portal.sh" start
trap '"$ROOT/scripts/e2e-portal.sh" stop' EXIT
PYTHONPATH="$ROOT:$ROOT/dags" "$AIRFLOW_VENV/bin/python" -m bench.pipeline_bench
