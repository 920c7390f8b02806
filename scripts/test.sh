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
    "$PYTHON" "$ROOT/scripts/test_times.py" "$REPORTS" "$VAR/test-times.md" "$SECONDS" || true
}
trap print_times EXIT

"$ROOT/scripts/prepare.sh"
ensure_packages chromium chromium-driver  # the browser tests (tests/browser)
say "CKAN test configuration and database"
"$ROOT/scripts/ckan-config.sh" test

say "ruff"
"$CKAN_VENV/bin/ruff" check "$ROOT"

# Suites that run in the pipeline environment (no CKAN installed there).
airflow_suites=(pipelines replicas)
# Need the test portal the pipeline suites fill: run last (operations last of all: it restarts it).
live=("$ROOT/tests/conformance" "$ROOT/tests/browser" "$ROOT/tests/operations")
ignored=("--ignore=$ROOT/tests/conformance" "--ignore=$ROOT/tests/browser" "--ignore=$ROOT/tests/operations")
# The benchmark smoke run starts the bench portal, the test portal and the replicas itself: run alone.
ignored+=("--ignore=$ROOT/tests/bench")
present=()
for suite in "${airflow_suites[@]}"; do
    ignored+=("--ignore=$ROOT/tests/$suite")
    [ -d "$ROOT/tests/$suite" ] && present+=("$ROOT/tests/$suite")
done

say "CKAN tests"
cd "$ROOT"
"$CKAN_VENV/bin/pytest" --ckan-ini="$VAR/test.ini" --junitxml="$REPORTS/ckan.xml" "${ignored[@]}" "$@" tests
say "Benchmark smoke run (every part of make bench on a tiny catalogue; ports ${BENCH_PORT:-5057}, ${E2E_PORT:-5055}, 8081-8084)"
"$CKAN_VENV/bin/pytest" --ckan-ini="$VAR/test.ini" --junitxml="$REPORTS/bench.xml" "$ROOT/tests/bench"
if [ ${#present[@]} -gt 0 ]; then
    say "Pipeline tests (replicas, a throw-away portal on :${E2E_PORT:-5055}, airflow dags test)"
    "$ROOT/scripts/e2e-portal.sh" stop
    "$ROOT/scripts/e2e-portal.sh" start
    trap '"$ROOT/scripts/e2e-portal.sh" stop; print_times' EXIT
    "$AIRFLOW_VENV/bin/pytest" --junitxml="$REPORTS/pipelines.xml" "${present[@]}"
    say "The harvested test portal: DCAT-AP.de conformance, DCAT harvest into a second site, pages in Chromium with axe-core, backup and restore"
    psql_admin -c "DROP DATABASE IF EXISTS ckan_harvest" >/dev/null
    ensure_database ckan_harvest ckan_default
    "$ROOT/scripts/ckan-config.sh" harvest
    "$CKAN_VENV/bin/pytest" --ckan-ini="$VAR/test.ini" --junitxml="$REPORTS/live.xml" "${live[@]}"
fi
