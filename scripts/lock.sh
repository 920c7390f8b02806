#!/usr/bin/env bash
# `make lock`: regenerate requirements/*.txt from requirements/*.in in clean throw-away venvs.
#
# Usage: scripts/lock.sh [NAME ...]  (default: ckan airflow; e.g. `scripts/lock.sh airflow` after a change
# of requirements/airflow.in alone)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"  # requirements/ckan.in names the project as "." (its install_requires, setup.py)

names=("$@")
[ $# -gt 0 ] || names=(ckan airflow)
for name in "${names[@]}"; do
    scratch="$(mktemp -d)"
    say "Resolving requirements/$name.in"
    "$PYTHON" -m venv "$scratch"
    "$scratch/bin/pip" install -q --upgrade pip
    "$scratch/bin/pip" install -q -r "$ROOT/requirements/$name.in"
    {
        head -n 2 "$ROOT/requirements/$name.txt" | sed "s/([^)]*)/(Python $("$scratch/bin/python" -c 'import platform; print(platform.python_version())'), $(date -u +%Y-%m-%d))/"
        "$scratch/bin/pip" freeze --all --exclude-editable | grep -v -E '^(pip|setuptools|wheel)=='
    } >"$ROOT/requirements/$name.txt.new"
    mv "$ROOT/requirements/$name.txt.new" "$ROOT/requirements/$name.txt"
    rm -rf "$scratch"
done
