#!/usr/bin/env bash
# Everything `make demo`, `make test` and `make bench` stand on: Debian packages, PostgreSQL and
# Redis running, the two Python environments, database roles and databases, secrets in .env.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mkdir -p "$RUN"

ensure_packages postgresql redis-server python3-venv python3-dev build-essential libpq-dev \
    libmagic1 git curl iproute2
ensure_postgres
ensure_redis

ensure_venv "$CKAN_VENV" "$ROOT/requirements/ckan.txt"
# (Re)install the extension when it is missing or setup.py (entry points) changed.
setup_stamp="$CKAN_VENV/.chemnitz-setup-$(sha256sum "$ROOT/setup.py" | cut -c1-16)"
if [ ! -f "$setup_stamp" ] || ! "$CKAN_VENV/bin/python" -c "import ckanext.chemnitz" 2>/dev/null; then
    "$CKAN_VENV/bin/pip" install -q --no-deps -e "$ROOT"
    rm -f "$CKAN_VENV"/.chemnitz-setup-*
    touch "$setup_stamp"
fi
"$ROOT/scripts/i18n.sh" compile >/dev/null  # German catalogue of the extension (.mo, not committed)
# Front-end libraries served from the portal's own assets (no CDN): Leaflet from npm, copied
# into the extension's git-ignored assets/vendor/ where webassets.yml expects it.
frontend="$ROOT/ckanext-chemnitz/frontend"
ensure_npm "$frontend" "the portal's front-end libraries"
vendor="$ROOT/ckanext-chemnitz/ckanext/chemnitz/assets/vendor/leaflet"
mkdir -p "$vendor"
cp -u "$frontend/node_modules/leaflet/dist/leaflet.js" "$frontend/node_modules/leaflet/dist/leaflet.css" "$vendor/"
ensure_venv "$AIRFLOW_VENV" "$ROOT/requirements/airflow.txt"
# pycsw, the catalogue service for the geodata infrastructure (scripts/csw.sh): an environment of its own,
# since it needs SQLAlchemy 1.4, and setuptools < 81 for pkg_resources (requirements/csw.in)
ensure_venv "$ROOT/.venv/csw" "$ROOT/requirements/csw.txt" "setuptools<81"
"$ROOT/replica/install.sh"

say "Database roles and databases"
ensure_role ckan_default "$(env_secret CKAN_DB_PASSWORD)"
ensure_role datastore_write "$(env_secret DATASTORE_WRITE_PASSWORD)"
ensure_role datastore_ro "$(env_secret DATASTORE_RO_PASSWORD)"
ensure_role airflow "$(env_secret AIRFLOW_DB_PASSWORD)"
ensure_database ckan_default ckan_default
ensure_database datastore_default datastore_write
ensure_database airflow airflow
ensure_database ckan_test ckan_default
ensure_database datastore_test datastore_write
