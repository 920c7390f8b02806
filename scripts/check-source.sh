#!/usr/bin/env bash
# `make check-source FILE=<yaml> [OFFLINE=yes]`: check source configurations before they go live
# (dags/pipelines/check_source.py; what it checks: docs/pipelines.md, "Checking a source file").
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ $# -gt 0 ] || die "No file to check." "make check-source FILE=schemas/sources/<id>.yaml (OFFLINE=yes: without asking the source)"
[ -x "$AIRFLOW_VENV/bin/python" ] || die "The Airflow environment $AIRFLOW_VENV is missing." "Run make demo once."
PYTHONPATH="$ROOT/dags${PYTHONPATH:+:$PYTHONPATH}" exec "$AIRFLOW_VENV/bin/python" -m pipelines.check_source "$@"
