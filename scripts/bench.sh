#!/usr/bin/env bash
# `make bench`: benchmarks on a scratch database; figures go to docs/benchmarks.md.
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
