#!/usr/bin/env bash
# `make bench`: benchmarks on scratch databases; figures go to docs/benchmarks.md. Not at the same
# time as `make test` (both use the test portal's port and the replicas' ports).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
: "${BENCH_PORT:=5057}"

"$ROOT/scripts/prepare.sh"
require_port_free "$BENCH_PORT" "the bench portal"
say "Scratch database ckan_bench (replaced on every run)"
psql_admin -c "DROP DATABASE IF EXISTS ckan_bench" -c "CREATE DATABASE ckan_bench OWNER ckan_default"
"$ROOT/scripts/ckan-config.sh" bench
cd "$ROOT"
say "Search benchmark"
"$CKAN_VENV/bin/python" -m bench.search_bench "$@"
say "DCAT benchmark (/catalog.ttl, dcat_ap_de against euro_dcat_ap_3)"
"$CKAN_VENV/bin/python" -m bench.dcat_bench "$@"
say "Spatial search benchmark (ext_bbox, districts at indexing)"
"$CKAN_VENV/bin/python" -m bench.spatial_bench
say "Parking benchmark (a year of occupancy history in the DataStore, /parken)"
"$CKAN_VENV/bin/python" -m bench.parking_bench
say "Page benchmark (home, search, dataset page over HTTP and in Chromium; bench portal on :$BENCH_PORT)"
ensure_packages chromium chromium-driver
start_ckan "$VAR/bench.ini" "$BENCH_PORT" bench-ckan 2
trap 'kill -TERM "$(cat "$RUN/bench-ckan.pid")" 2>/dev/null || true' EXIT
"$CKAN_VENV/bin/python" -m bench.pages_bench "http://127.0.0.1:$BENCH_PORT"
kill -TERM "$(cat "$RUN/bench-ckan.pid")"
say "Pipeline benchmark (replicas, a throw-away portal on :${E2E_PORT:-5055})"
"$ROOT/scripts/e2e-portal.sh" stop
"$ROOT/scripts/e2e-portal.sh" start
trap '"$ROOT/scripts/e2e-portal.sh" stop' EXIT
PYTHONPATH="$ROOT:$ROOT/dags" "$AIRFLOW_VENV/bin/python" -m bench.pipeline_bench
