#!/usr/bin/env bash
# `make bench`: benchmarks on a scratch database; figures go to docs/benchmarks.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/prepare.sh"
say "Scratch database ckan_bench (replaced on every run)"
psql_admin -c "DROP DATABASE IF EXISTS ckan_bench" -c "CREATE DATABASE ckan_bench OWNER ckan_default"
cd "$ROOT"
"$CKAN_VENV/bin/python" -m bench.search_bench \
    --db-url "postgresql://ckan_default:$(env_get CKAN_DB_PASSWORD)@$PGHOST:$PGPORT/ckan_bench" "$@"
