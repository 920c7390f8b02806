#!/usr/bin/env bash
# Installs what the replicas need (idempotent): MapServer for WFS, and Koop's
# npm packages from the committed package-lock.json (only when the lock file changed).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"

ensure_packages cgi-mapserver mapserver-bin gdal-bin
ensure_npm "$ROOT/replica/arcgis" "Koop for the ArcGIS replica"
