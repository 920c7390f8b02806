#!/usr/bin/env bash
# Checks that switching the search backend of the running portal (make demo; docs/operations.md,
# "Switching the search backend") loses nothing: the parity query set of bench/search_parity.py
# (German words, phrases, every facet as fq, sorts, paging, ext_bbox/ext_district, private datasets
# as anonymous visitor and as editor) asked through the Action API before and after each move.
#
# Usage: scripts/search-switch-check.sh snapshot NAME [EARLIER]
#          the running portal's answers into var/search-switch/NAME.json; with EARLIER (the name of an
#          earlier snapshot) the same facet values are asked as then
#        scripts/search-switch-check.sh compare A B
#          compare two snapshots; exit 1 when a hit count or facet count differs
#
# The portal is CKAN_URL (environment, else .env); "as editor" uses CKAN_API_TOKEN of .env (the pipelines user, editor of
# every department).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

folder="$VAR/search-switch"
mkdir -p "$folder"
cd "$ROOT"
case "${1:-}" in
snapshot)
    name="${2:?usage: scripts/search-switch-check.sh snapshot NAME [EARLIER]}"
    url="${CKAN_URL:-$(env_get CKAN_URL)}"
    [ -n "$url" ] || die "CKAN_URL is not set in $ENV_FILE." "Run make demo first; it writes CKAN_URL."
    curl -fsS "$url/api/3/action/status_show" >/dev/null || die "The portal at $url does not answer." "Start it with make demo."
    reuse=()
    [ -z "${3:-}" ] || reuse=(--reuse "$folder/$3.json")
    "$CKAN_VENV/bin/python" -m bench.search_parity snapshot "$url" "$folder/$name.json" \
        --token "$(env_get CKAN_API_TOKEN)" "${reuse[@]}"
    ;;
compare)
    "$CKAN_VENV/bin/python" -m bench.search_parity compare "$folder/${2:?usage: compare A B}.json" "$folder/${3:?usage: compare A B}.json"
    ;;
*) die "usage: scripts/search-switch-check.sh snapshot NAME [EARLIER] | compare A B" ;;
esac
