#!/usr/bin/env bash
# `make lint`, and the first step of `make test`: ruff over the repository, the extension's import
# contracts (pyproject.toml [tool.importlinter]) and mypy over the extension (in .venv/ckan) and the
# pipelines (in .venv/airflow, the environment they run in). Caches under var/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

say "ruff"
"$CKAN_VENV/bin/ruff" check "$ROOT"
say "Import contracts (lint-imports)"
"$CKAN_VENV/bin/lint-imports" --cache-dir "$VAR/import-linter"
say "mypy"
"$CKAN_VENV/bin/mypy" --config-file "$ROOT/pyproject.toml" --cache-dir "$VAR/mypy/ckan" "$ROOT/ckanext-chemnitz/ckanext"
"$AIRFLOW_VENV/bin/mypy" --config-file "$ROOT/pyproject.toml" --cache-dir "$VAR/mypy/airflow" "$ROOT/dags/pipelines"
