#!/usr/bin/env bash
# `make backup` / `make restore`: save or bring back the demo's databases and file store
# (scripts/backup.py; var/backups/<UTC time>/). Restore wants the demo stopped (make stop).
# Usage: scripts/backup.sh backup|restore [--ini INI] [--to DIR | --from DIR]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ -x "$CKAN_VENV/bin/python" ] || die "No CKAN environment in $CKAN_VENV." "Run 'make demo' once first."
ensure_postgres
"$CKAN_VENV/bin/python" "$ROOT/scripts/backup.py" "$@"
