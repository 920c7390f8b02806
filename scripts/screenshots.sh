#!/usr/bin/env bash
# `make screenshots`: screenshots of the running demo (make demo) into docs/screenshots/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

url="$(env_get CKAN_URL)"
url="${url:-http://127.0.0.1:${CKAN_PORT:-5000}}"
curl -fsS -o /dev/null "$url/api/3/action/status_show" \
    || die "No portal answers on $url." "Start it with 'make demo' in another shell, then run 'make screenshots' again."
ensure_packages chromium chromium-driver
say "Screenshots of $url"
PYTHONPATH="$ROOT" "$CKAN_VENV/bin/python" "$ROOT/scripts/screenshots.py" "$url" "$ROOT/docs/screenshots"
