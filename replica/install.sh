#!/usr/bin/env bash
# Installs what the replicas need (idempotent): MapServer for WFS and the basemaps (with a font for their labels), and Koop's
# npm packages from the committed package-lock.json (only when the lock file changed).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"

ensure_packages cgi-mapserver mapserver-bin gdal-bin fonts-dejavu-core
ensure_npm "$ROOT/replica/arcgis" "Koop for the ArcGIS replica"
