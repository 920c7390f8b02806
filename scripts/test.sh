#!/usr/bin/env bash
# `make test`: lint, then the CKAN-side suites in .venv/ckan and the pipeline suites in .venv/airflow.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Every pytest run writes a JUnit report; at the end, also after a failure, the time table per suite
# and the slowest tests are printed and written to var/test-times.md (scripts/test_times.py).
REPORTS="$VAR/test-reports"
rm -rf "$REPORTS"
mkdir -p "$REPORTS"
print_times() {
    say "Test times (var/test-times.md)"
    "$PYTHON" "$ROOT/scripts/test_times.py" "$REPORTS" "$VAR/test-times.md" "$SECONDS" "${setup_seconds:-}" || true
}
trap print_times EXIT

"$ROOT/scripts/prepare.sh"
ensure_packages chromium chromium-driver  # the browser tests (tests/browser)
say "CKAN test configuration and database"
"$ROOT/scripts/ckan-config.sh" test

setup_seconds=$SECONDS  # installs, environments, test databases: the time table reports them apart

"$ROOT/scripts/lint.sh"  # make lint: ruff, import contracts, mypy

# Three streams run side by side:
#   CKAN      the CKAN-side suites on TEST_WORKERS pytest-xdist workers (default 2), each worker on
#             its own copies of the test databases (scripts/ckan-config.sh test); then the SolrCloud
#             (scripts/solr.sh) with tests/search, tests/solr and tests/spatial on it (var/test-solr.ini,
#             two workers with a collection each), and the node fault tests alone;
#   bench     the benchmark smoke run of the catalogue parts (bench portal on :${BENCH_PORT:-5057}) and
#             of the Lighthouse part (nginx and CKAN on :${LIGHTHOUSE_PORT:-5070}, :+1);
#   portals   the pipeline suites in .venv/airflow against a fresh test portal on :${E2E_PORT:-5055} —
#             the new-source and Celery tests (each a running Airflow that mostly waits for its scheduler)
#             beside the others, with replicas of their own — then the suites that need that harvested portal
#             (conformance, browser, operations: it restarts it), then the pipeline part of the
#             benchmark smoke run on it. The executors part's measurement runs at smoke size on the
#             Celery test's Airflow (tests/pipelines/test_celery_deployment.py), not on one of its own.
# The backends part of `make bench` (PostgreSQL beside a SolrCloud of its own) is not in the smoke run.
# They share no database, Redis database, port or file; the output of the bench and portal streams is
# printed when they end (var/test-bench.log, var/test-portals.log), the CKAN stream's as it runs.
airflow_suites=(pipelines replicas)
live=("$ROOT/tests/conformance" "$ROOT/tests/browser" "$ROOT/tests/operations")
ignored=("--ignore=$ROOT/tests/conformance" "--ignore=$ROOT/tests/browser" "--ignore=$ROOT/tests/operations")
ignored+=("--ignore=$ROOT/tests/bench")
# The Solr suites run on var/test-solr.ini against the SolrCloud (scripts/solr.sh), after the CKAN suites.
ignored+=("--ignore=$ROOT/tests/solr")
present=()
for suite in "${airflow_suites[@]}"; do
    ignored+=("--ignore=$ROOT/tests/$suite")
    [ -d "$ROOT/tests/$suite" ] && present+=("$ROOT/tests/$suite")
done
cd "$ROOT"

ckan_stream() {
    local failed=0
    say "CKAN tests (${TEST_WORKERS:-2} workers)"
    "$CKAN_VENV/bin/pytest" --ckan-ini="$VAR/test.ini" -n "${TEST_WORKERS:-2}" --dist loadfile \
        --junitxml="$REPORTS/ckan.xml" "${ignored[@]}" "$@" tests || failed=1
    say "Search on the SolrCloud (scripts/solr.sh; tests/search, tests/solr, tests/spatial on two workers with a collection each, then node faults)"
    # Two workers, each on its collection ckan_gwN (var/test-solr-gwN.ini); the fault tests stop and
    # start nodes of the whole cluster, so they run alone afterwards.
    # A cluster that lives for minutes: the quick compiler only and one GC thread spend less CPU
    # than the JIT and collectors tuned for a long-running server (the demo's and production's).
    if SOLR_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC" "$ROOT/scripts/solr.sh" start &&
        TEST_WORKERS=2 "$ROOT/scripts/ckan-config.sh" test-solr; then
        "$CKAN_VENV/bin/pytest" --ckan-ini="$VAR/test-solr.ini" -n 2 --dist loadfile --junitxml="$REPORTS/solr.xml" \
            --ignore="$ROOT/tests/solr/test_faults.py" "$ROOT/tests/search" "$ROOT/tests/solr" "$ROOT/tests/spatial" || failed=1
        "$CKAN_VENV/bin/pytest" --ckan-ini="$VAR/test-solr.ini" --junitxml="$REPORTS/solr-faults.xml" \
            "$ROOT/tests/solr/test_faults.py" || failed=1
    else
        failed=1
    fi
    "$ROOT/scripts/solr.sh" stop
    return "$failed"
}

bench_stream() {
    say "Benchmark smoke run, catalogue parts (make bench on a tiny catalogue; bench portal on :${BENCH_PORT:-5057})"
    BENCH_PARTS="search dcat spatial parking pages lighthouse" "$CKAN_VENV/bin/pytest" --ckan-ini="$VAR/test.ini" \
        --junitxml="$REPORTS/bench.xml" "$ROOT/tests/bench"
}

# A failing suite does not stop the stream: the suites after it still run, and the stream fails at the end.
# The tests that run an Airflow of their own (a scheduler, Celery workers) mostly wait for it: they run
# beside the other pipeline tests, with replicas of their own (whose faults no other test sees).
own_airflow=("$ROOT/tests/pipelines/test_new_source.py" "$ROOT/tests/pipelines/test_celery_deployment.py")
portal_stream() {
    local failed=0 beside path ignore_own=()
    [ ${#present[@]} -gt 0 ] || return "$failed"
    say "Pipeline tests (replicas, a throw-away portal on :${E2E_PORT:-5055}, DAG runs; beside them the tests with an Airflow of their own)"
    "$ROOT/scripts/e2e-portal.sh" stop
    "$ROOT/scripts/e2e-portal.sh" start
    REPLICA_ARCGIS_PORT=8091 REPLICA_WFS_PORT=8092 REPLICA_FILES_PORT=8093 REPLICA_PARKING_PORT=8094 REPLICA_BASEMAPS_PORT=8095 \
        "$AIRFLOW_VENV/bin/pytest" --junitxml="$REPORTS/pipelines-own-airflow.xml" "${own_airflow[@]}" \
        >"$VAR/test-own-airflow.log" 2>&1 &
    beside=$!
    for path in "${own_airflow[@]}"; do ignore_own+=("--ignore=$path"); done
    "$AIRFLOW_VENV/bin/pytest" --junitxml="$REPORTS/pipelines.xml" "${ignore_own[@]}" "${present[@]}" || failed=1
    wait "$beside" || failed=1
    cat "$VAR/test-own-airflow.log"
    say "The harvested test portal: DCAT-AP.de conformance, DCAT harvest into a second site, pages in Chromium with axe-core, backup and restore"
    psql_admin -c "DROP DATABASE IF EXISTS ckan_harvest" >/dev/null
    ensure_database ckan_harvest ckan_default
    "$ROOT/scripts/ckan-config.sh" harvest
    "$CKAN_VENV/bin/pytest" --ckan-ini="$VAR/test.ini" --junitxml="$REPORTS/live.xml" "${live[@]}" || failed=1
    say "Benchmark smoke run, pipeline part (on the test portal and replicas)"
    BENCH_PARTS=pipeline BENCH_TEST_PORTAL=running "$CKAN_VENV/bin/pytest" --ckan-ini="$VAR/test.ini" \
        --junitxml="$REPORTS/bench-pipeline.xml" "$ROOT/tests/bench" || failed=1
    return "$failed"
}

portal_log="$VAR/test-portals.log" bench_log="$VAR/test-bench.log"
stop_streams() {
    # After a failure or Ctrl-C: no stream's pytest or portal outlives make test.
    [ -z "${portal_pid:-}" ] || pkill -TERM -g "$portal_pid" 2>/dev/null || true
    [ -z "${bench_pid:-}" ] || pkill -TERM -g "$bench_pid" 2>/dev/null || true
    "$ROOT/scripts/e2e-portal.sh" stop
    "$ROOT/scripts/solr.sh" stop
    print_times
}
trap stop_streams EXIT
# The portal and bench streams in process groups of their own (set -m), so stop_streams reaches all of them.
set -m
(set -euo pipefail; portal_stream) >"$portal_log" 2>&1 &
portal_pid=$!
# The portal stream is the longest and mostly waits on its portal and Airflow: the other two run at a
# lower priority (nice 10), so its processes get a core when they need one and the others take the rest.
(set -euo pipefail; renice -n 10 -p "$BASHPID" >/dev/null; bench_stream) >"$bench_log" 2>&1 &
bench_pid=$!
set +m
ckan_status=0
(renice -n 10 -p "$BASHPID" >/dev/null; ckan_stream "$@") || ckan_status=$?
bench_status=0
wait "$bench_pid" || bench_status=$?
bench_pid=""
say "Bench stream (benchmark smoke run of the catalogue parts; var/test-bench.log)"
cat "$bench_log"
portal_status=0
wait "$portal_pid" || portal_status=$?
portal_pid=""
say "Portal stream (pipeline tests, live suites, benchmark smoke run of the pipeline part; var/test-portals.log)"
cat "$portal_log"
[ "$ckan_status" -eq 0 ] || die "CKAN tests failed (exit $ckan_status)." "See the failures above the other streams' output."
[ "$bench_status" -eq 0 ] || die "The benchmark smoke run failed (exit $bench_status)." "See its output above (var/test-bench.log)."
[ "$portal_status" -eq 0 ] || die "The portal stream failed (exit $portal_status)." "See its output above (var/test-portals.log)."
