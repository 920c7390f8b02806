#!/usr/bin/env bash
# `make remove-source SOURCE=<id> [PURGE=yes]`: remove a source from the demo (configuration, DAG,
# work files; with PURGE=yes also its dataset, DataStore tables and uploaded files). See
# dags/pipelines/remove.py and docs/operations.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ -n "${1:-}" ] || die "No source given." "make remove-source SOURCE=<id> [PURGE=yes] (the ids are the file names in schemas/sources/)"
source_id="$1"
source "$ROOT/scripts/airflow-env.sh"
purge=()
[ "${2:-}" = yes ] && purge=(--purge "$VAR/ckan.ini")
"$AIRFLOW_VENV/bin/python" -m pipelines.remove "$source_id" --dags "$AIRFLOW_HOME/source-dags" \
    --work "$CHEMNITZ_PIPELINE_WORK" "${purge[@]}"
