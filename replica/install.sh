#!/usr/bin/env bash
# Installs what the replicas need (idempotent): Node.js for Koop, MapServer for WFS, and Koop's
# npm packages from the committed package-lock.json (only when the lock file changed).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"

ensure_packages cgi-mapserver mapserver-bin gdal-bin
# Node.js may come from Debian or elsewhere (e.g. NodeSource, which bundles npm): check the commands.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    ensure_packages nodejs npm
fi
arcgis="$ROOT/replica/arcgis"
stamp="$arcgis/node_modules/.installed-$(sha256sum "$arcgis/package-lock.json" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    say "Installing Koop (npm) for the ArcGIS replica"
    (cd "$arcgis" && npm ci --no-audit --no-fund --loglevel=error) \
        || die "npm could not install Koop from replica/arcgis/package-lock.json." "Check access to the npm registry and run the command again."
    rm -f "$arcgis"/node_modules/.installed-*
    touch "$stamp"
fi
