#!/usr/bin/env bash
# `make bench`: benchmarks on scratch databases; figures go to docs/benchmarks.md. Not at the same
# time as `make test` (both use the test portal's port and the replicas' ports).
#
# Usage: scripts/bench.sh [--smoke [REPORT]]
#   --smoke  every part on a tiny catalogue (seconds; `make test` runs it: tests/bench), its figures
#            written to REPORT (default: a temporary file, removed at the end), not to docs/benchmarks.md
# Environment: BENCH_PARTS  the parts to run (default all: search dcat spatial backends parking pages pipeline
#              executors);
#              BENCH_TEST_PORTAL=running  the pipeline and executors parts use the test portal that runs on
#              E2E_PORT instead of starting a fresh one (make test: after the pipeline tests, on their portal).
#
# Each part sets up the state it measures itself (the catalogue parts load the generated catalogue
# unless the database holds exactly it, the parking part works in a database of its own), so the
# parts run in any order and alone. The lighthouse part (also among the default parts) measures a copy
# of the demo's catalogue: `make demo` must have harvested once (it may run at the same time).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
: "${BENCH_PORT:=5057}"
: "${BENCH_SOLR_PORT:=8990}"  # the benchmark's own SolrCloud (scripts/solr.sh, SOLR_NAME=solr-bench): ports +1, +1000, +1001 too
# The Lighthouse part: nginx (the production template, as make demo runs it) on LIGHTHOUSE_PORT in front
# of CKAN on +1; in a full run a copy of the demo's catalogue (ckan_lh, datastore_lh) with the basemap
# replica on +2, in a smoke run an empty portal.
: "${LIGHTHOUSE_PORT:=5070}"
export LIGHTHOUSE_PORT LIGHTHOUSE_BASEMAPS_PORT=$((LIGHTHOUSE_PORT + 2))

lighthouse=() catalogue=() parking=() pages=() pipeline=() backends=() executors=()
report="$ROOT/docs/benchmarks.md" temporary=""
case "${1:-}" in
"") ;;
--smoke)
    report="$(realpath -m "${2:-$(mktemp --suffix=-bench-smoke.md)}")"
    [ -n "${2:-}" ] || temporary="$report"
    catalogue=(--datasets 20 --repeat 2) parking=(--days 2 --repeat 2) pages=(--datasets 20 --repeat 2)
    lighthouse=(--pages home --runs 1 --no-targets --slowdown 4)  # an empty portal's home page, once, not judged
    pipeline=(--features 200 --repeat 2 --sources stadtteile)
    executors=(--features 200 --sources stadtteile --workers 1)  # one Airflow: 1 Celery worker
    backends=(--sizes 20 --repeat 2 --parity-report "$report")
    ;;
*) die "unknown option '$1'" "run scripts/bench.sh or scripts/bench.sh --smoke" ;;
esac

# At the end, also after a failure: stop the portals this run started, remove a smoke run's figures.
bench_portal="" test_portal="" bench_solr="" lighthouse_portal=""
bench_solr() { SOLR_NAME=solr-bench SOLR_PORT="$BENCH_SOLR_PORT" "$ROOT/scripts/solr.sh" "$1"; }
clean_up() {
    [ -z "$bench_solr" ] || bench_solr stop
    [ -z "$bench_portal" ] || kill -TERM "$bench_portal" 2>/dev/null || true
    [ -z "$lighthouse_portal" ] || stop_lighthouse_portal
    [ -z "$test_portal" ] || "$ROOT/scripts/e2e-portal.sh" stop
    [ -z "$temporary" ] || rm -f "$temporary"
}
trap clean_up EXIT

# start_lighthouse_portal: what the Lighthouse part measures, served as make demo serves it (nginx with
# docker/proxy's template in front of gunicorn) on databases of its own, ckan_lh and datastore_lh:
# copies of the demo's harvested catalogue with the basemap replica, or in a smoke run empty ones.
start_lighthouse_portal() {
    local backend=$((LIGHTHOUSE_PORT + 1)) held=0
    require_port_free "$LIGHTHOUSE_PORT" "the Lighthouse part's nginx"
    require_port_free "$backend" "the Lighthouse part's CKAN"
    if [ ${#lighthouse[@]} -eq 0 ]; then
        require_port_free "$LIGHTHOUSE_BASEMAPS_PORT" "the Lighthouse part's basemap replica"
        held="$(psql_admin -At -d ckan_default -c "SELECT count(*) FROM package WHERE state = 'active' AND type = 'dataset'")"
        [ "${held:-0}" -gt 0 ] || die "The Lighthouse part measures a copy of the demo's catalogue, and the demo has not harvested yet." \
            "Run 'make demo' once (its first harvest fills the catalogue; it may keep running), then run make bench again."
    fi
    lighthouse_portal=started
    local what=empty
    [ "$held" -eq 0 ] || what="copies of the demo's ckan_default ($held datasets) and datastore_default"
    say "Scratch databases ckan_lh, datastore_lh (replaced on every run): $what"
    local copy from to owner password
    for copy in ckan_default:ckan_lh:ckan_default:CKAN_DB_PASSWORD datastore_default:datastore_lh:datastore_write:DATASTORE_WRITE_PASSWORD; do
        IFS=: read -r from to owner password <<<"$copy"
        psql_admin -c "DROP DATABASE IF EXISTS $to WITH (FORCE)"
        ensure_database "$to" "$owner"
        # the demo's, dumped by its owner and restored by the superuser (extensions such as unaccent)
        [ "$held" -eq 0 ] || pg_dump --no-comments "postgresql://$owner:$(env_get "$password")@$PGHOST:$PGPORT/$from" |
            psql_admin -d "$to" >/dev/null
    done
    "$ROOT/scripts/ckan-config.sh" lighthouse
    if [ "$held" -gt 0 ]; then
        "$CKAN_VENV/bin/ckan" -c "$VAR/lighthouse.ini" search-index rebuild --quiet >/dev/null 2>>"$VAR/lighthouse-ckan.log"
        (cd "$ROOT" && exec "$AIRFLOW_VENV/bin/python" -c 'import sys; from pathlib import Path; from replica import basemaps
basemaps.server(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]).serve_forever()' "$VAR/lighthouse-basemaps" \
            "$LIGHTHOUSE_BASEMAPS_PORT" "http://127.0.0.1:$LIGHTHOUSE_BASEMAPS_PORT") >"$VAR/lighthouse-basemaps.log" 2>&1 &
        echo $! >"$RUN/lighthouse-basemaps.pid"
        wait_for_url "http://127.0.0.1:$LIGHTHOUSE_BASEMAPS_PORT/wmts_basemapde/1.0.0/WMTSCapabilities.xml" 120 $! \
            "The basemap replica" "$VAR/lighthouse-basemaps.log"
    fi
    start_ckan "$VAR/lighthouse.ini" "$backend" lighthouse-ckan 2
    PROXY_TLS=off PROXY_DIR="$VAR/lighthouse-proxy" PROXY_HTTP_PORT="$LIGHTHOUSE_PORT" PROXY_CKAN_PORT="$backend" \
        "$ROOT/scripts/proxy.sh" start
}

stop_lighthouse_portal() {
    PROXY_DIR="$VAR/lighthouse-proxy" "$ROOT/scripts/proxy.sh" stop
    local name
    for name in lighthouse-ckan lighthouse-basemaps; do
        [ ! -f "$RUN/$name.pid" ] || kill -TERM "$(cat "$RUN/$name.pid")" 2>/dev/null || true
        rm -f "$RUN/$name.pid"
    done
    lighthouse_portal=""
}

parts=" ${BENCH_PARTS:-search dcat spatial backends parking pages lighthouse pipeline executors} "
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
if part lighthouse; then
    say "Lighthouse (mobile) on home, search, dataset and /parken, served as make demo serves them (nginx on :$LIGHTHOUSE_PORT)"
    ensure_packages chromium
    ensure_npm "$ROOT/bench/lighthouse" "Lighthouse"
    start_lighthouse_portal
    bench bench.lighthouse_bench "http://127.0.0.1:$LIGHTHOUSE_PORT" "${lighthouse[@]}"
    stop_lighthouse_portal
fi
part pipeline || part executors || exit 0
say "Test portal of the pipeline parts (a throw-away portal on :${E2E_PORT:-5055})"
if [ "${BENCH_TEST_PORTAL:-}" = running ]; then
    curl -fsS -o /dev/null "http://127.0.0.1:${E2E_PORT:-5055}/api/3/action/status_show" ||
        die "BENCH_TEST_PORTAL=running, but no test portal answers on :${E2E_PORT:-5055}" "scripts/e2e-portal.sh start"
else
    "$ROOT/scripts/e2e-portal.sh" stop
    test_portal=started
    "$ROOT/scripts/e2e-portal.sh" start
fi
airflow_bench() { PYTHONPATH="$ROOT:$ROOT/dags" "$AIRFLOW_VENV/bin/python" -m "$@" --report "$report"; }
if part pipeline; then
    say "Pipeline benchmark (the harvest steps; replicas)"
    airflow_bench bench.pipeline_bench "${pipeline[@]}"
fi
if part executors; then
    say "Executor benchmark (harvests through a real Airflow: LocalExecutor, Celery with 1 and 2 workers; smoke: 1 worker)"
    airflow_bench bench.executor_bench "${executors[@]}"
fi
