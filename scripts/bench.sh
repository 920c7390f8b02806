#!/usr/bin/env bash
# `make bench`: benchmarks on scratch databases; figures go to docs/benchmarks.md. Not at the same
# time as `make test` (both use the test portal's port and the replicas' ports).
#
# Usage: scripts/bench.sh [--smoke [REPORT]]
#   --smoke  every part on a tiny catalogue (seconds; `make test` runs it: tests/bench), its figures
#            written to REPORT (default: a temporary file, removed at the end), not to docs/benchmarks.md
# Environment: BENCH_PARTS  the parts to run (default all: search dcat spatial backends parking pages pipeline);
#              BENCH_TEST_PORTAL=running  the pipeline part uses the test portal that runs on E2E_PORT
#              instead of starting a fresh one (make test: after the pipeline tests, on their portal).
#
# Each part sets up the state it measures itself (the catalogue parts load the generated catalogue
# unless the database holds exactly it, the parking part works in a database of its own), so the
# parts run in any order and alone.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
: "${BENCH_PORT:=5057}"
: "${BENCH_SOLR_PORT:=8990}"  # the benchmark's own SolrCloud (scripts/solr.sh, SOLR_NAME=solr-bench): ports +1, +1000, +1001 too

catalogue=() parking=() pages=() pipeline=() backends=()
report="$ROOT/docs/benchmarks.md" temporary=""
case "${1:-}" in
"") ;;
--smoke)
    report="$(realpath -m "${2:-$(mktemp --suffix=-bench-smoke.md)}")"
    [ -n "${2:-}" ] || temporary="$report"
    catalogue=(--datasets 20 --repeat 2) parking=(--days 2 --repeat 2) pages=(--datasets 20 --repeat 2)
    pipeline=(--features 200 --repeat 2 --sources stadtteile)
    backends=(--sizes 20 --repeat 2 --parity-report "$report")
    ;;
*) die "unknown option '$1'" "run scripts/bench.sh or scripts/bench.sh --smoke" ;;
esac

# At the end, also after a failure: stop the portals this run started, remove a smoke run's figures.
bench_portal="" test_portal="" bench_solr=""
bench_solr() { SOLR_NAME=solr-bench SOLR_PORT="$BENCH_SOLR_PORT" "$ROOT/scripts/solr.sh" "$1"; }
clean_up() {
    [ -z "$bench_solr" ] || bench_solr stop
    [ -z "$bench_portal" ] || kill -TERM "$bench_portal" 2>/dev/null || true
    [ -z "$test_portal" ] || "$ROOT/scripts/e2e-portal.sh" stop
    [ -z "$temporary" ] || rm -f "$temporary"
}
trap clean_up EXIT

parts=" ${BENCH_PARTS:-search dcat spatial backends parking pages pipeline} "
part() { [[ "$parts" == *" $1 "* ]]; }

"$ROOT/scripts/prepare.sh"
cd "$ROOT"
bench() { "$CKAN_VENV/bin/python" -m "$@" --report "$report"; }
if part search || part dcat || part spatial || part backends || part parking || part pages; then
    require_port_free "$BENCH_PORT" "the bench portal"
    say "Scratch databases (replaced on every run): ckan_bench (catalogue), ckan_bench_parking, datastore_bench"
    psql_admin -c "DROP DATABASE IF EXISTS ckan_bench WITH (FORCE)" -c "DROP DATABASE IF EXISTS ckan_bench_parking WITH (FORCE)" \
        -c "DROP DATABASE IF EXISTS datastore_bench WITH (FORCE)"
    ensure_database ckan_bench ckan_default
    ensure_database datastore_bench datastore_write
    "$ROOT/scripts/ckan-config.sh" bench
    # The parking part's own CKAN database: a copy of the migrated, still empty catalogue database.
    psql_admin -c "CREATE DATABASE ckan_bench_parking OWNER ckan_default TEMPLATE ckan_bench"
fi
if part search; then
    say "Search benchmark"
    bench bench.search_bench "${catalogue[@]}"
fi
if part dcat; then
    say "DCAT benchmark (/catalog.ttl, dcat_ap_de against euro_dcat_ap_3)"
    bench bench.dcat_bench "${catalogue[@]}"
fi
if part spatial; then
    say "Spatial search benchmark (ext_bbox, districts at indexing)"
    bench bench.spatial_bench "${catalogue[@]}"
fi
if part backends; then
    say "Search backends side by side (PostgreSQL and a SolrCloud of its own on :$BENCH_SOLR_PORT; parity of the answers)"
    bench_solr=started
    bench_solr start
    # BENCH_BACKEND_SIZES="10000" leaves out the 100,000 datasets (their two rebuilds take most of an hour on 2 cores).
    [ -z "${BENCH_BACKEND_SIZES:-}" ] || [ ${#backends[@]} -gt 0 ] || read -ra backends <<<"--sizes $BENCH_BACKEND_SIZES"
    bench bench.search_backends --solr "http://127.0.0.1:$BENCH_SOLR_PORT/solr" --solr-pid "$RUN/solr-bench.pid" "${backends[@]}"
    bench_solr stop
    bench_solr=""
fi
if part parking; then
    say "Parking benchmark (a year of occupancy history in the DataStore, /parken)"
    bench bench.parking_bench "${parking[@]}"
fi
if part pages; then
    say "Page benchmark (home, search, dataset page over HTTP and in Chromium; bench portal on :$BENCH_PORT)"
    ensure_packages chromium chromium-driver
    start_ckan "$VAR/bench.ini" "$BENCH_PORT" bench-ckan 2
    bench_portal="$(cat "$RUN/bench-ckan.pid")"
    bench bench.pages_bench "http://127.0.0.1:$BENCH_PORT" "${pages[@]}"
    kill -TERM "$bench_portal"
    bench_portal=""
fi
part pipeline || exit 0
say "Pipeline benchmark (replicas, a throw-away portal on :${E2E_PORT:-5055})"
if [ "${BENCH_TEST_PORTAL:-}" = running ]; then
    curl -fsS -o /dev/null "http://127.0.0.1:${E2E_PORT:-5055}/api/3/action/status_show" ||
        die "BENCH_TEST_PORTAL=running, but no test portal answers on :${E2E_PORT:-5055}" "scripts/e2e-portal.sh start"
else
    "$ROOT/scripts/e2e-portal.sh" stop
    test_portal=started
    "$ROOT/scripts/e2e-portal.sh" start
fi
PYTHONPATH="$ROOT:$ROOT/dags" "$AIRFLOW_VENV/bin/python" -m bench.pipeline_bench "${pipeline[@]}" --report "$report"
