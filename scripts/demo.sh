#!/usr/bin/env bash
# `make demo`: set up (or update) the local portal and run it in the foreground until Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/prepare.sh"
# Visitors reach CKAN through nginx running the production proxy's template (scripts/proxy.sh, plain
# HTTP): pages and assets compressed, fingerprinted assets cached, as the city's server sends them.
: "${CKAN_BACKEND_PORT:=$((CKAN_PORT + 1))}"
require_port_free "$CKAN_PORT" "the portal (nginx in front of CKAN)"
require_port_free "$CKAN_BACKEND_PORT" "CKAN behind nginx (CKAN_BACKEND_PORT)"
for port in 8081 8082 8083 8084 8085; do require_port_free "$port" "a department-source replica"; done
require_port_free "${CSW_PORT:-8086}" "the catalogue service (CSW_PORT)"

search="PostgreSQL (chemnitz_search)"
if [ "${CKAN_SEARCH:-$(env_get CKAN_SEARCH)}" = solr ]; then
    # CKAN checks the Solr schema when it starts: the SolrCloud has to answer first.
    "$ROOT/scripts/solr.sh" start
    solr_port="${SOLR_PORT:-$(env_get SOLR_PORT)}"
    search="SolrCloud http://127.0.0.1:${solr_port:-8983}/solr/ckan"
fi

say "CKAN configuration and database"
"$ROOT/scripts/ckan-config.sh" demo
ini="$VAR/ckan.ini"
env_set CKAN_URL "http://127.0.0.1:$CKAN_PORT"
env_set CKAN_INI "$ini"
env_set CKAN_SYSADMIN admin
# Service records point at their dataset's record in the demo's CSW (scripts/csw.sh).
"$CKAN_VENV/bin/ckan" config-tool "$ini" "ckanext.chemnitz.csw.url=http://127.0.0.1:${CSW_PORT:-8086}/csw"

say "Users, departments and the pipelines' API token"
token="$(CKAN_ADMIN_PASSWORD="$(env_secret CKAN_ADMIN_PASSWORD)" CKAN_API_TOKEN="$(env_get CKAN_API_TOKEN)" \
    "$CKAN_VENV/bin/python" "$ROOT/scripts/bootstrap_portal.py" "$ini")"
[ -n "$token" ] && env_set CKAN_API_TOKEN "${token#CKAN_API_TOKEN=}"
"$CKAN_VENV/bin/ckan" -c "$ini" search-index rebuild --quiet >/dev/null 2>>"$VAR/ckan.log"
# Previews (table, map) for resources harvested before their view types existed; adds only what is missing.
"$CKAN_VENV/bin/ckan" -c "$ini" views create -y >/dev/null 2>>"$VAR/ckan.log"

say "Starting CKAN (gunicorn on :$CKAN_BACKEND_PORT) behind nginx on http://127.0.0.1:$CKAN_PORT"
stop_started() {
    trap - INT TERM EXIT
    "$ROOT/scripts/stop.sh" --quiet
}
trap stop_started INT TERM EXIT
start_ckan "$ini" "$CKAN_BACKEND_PORT" ckan 3
PROXY_TLS=off PROXY_DIR="$VAR/demo-proxy" PROXY_HTTP_PORT="$CKAN_PORT" PROXY_CKAN_PORT="$CKAN_BACKEND_PORT" \
    "$ROOT/scripts/proxy.sh" start

say "Department-source replicas (ArcGIS :8081, WFS :8082, files :8083, parking feed :8084, basemaps :8085)"
(cd "$ROOT" && exec "$AIRFLOW_VENV/bin/python" -m replica.run >"$VAR/replica.log" 2>&1) &
echo $! >"$RUN/replica.pid"
wait_for_url "http://127.0.0.1:8083/" 60 "$(cat "$RUN/replica.pid")" "The replicas" "$VAR/replica.log"

say "Airflow on http://127.0.0.1:${AIRFLOW_PORT:-8080} and a first harvest of every source"
"$ROOT/scripts/airflow.sh" start
"$ROOT/scripts/airflow.sh" harvest || warn "Some harvests failed: see the Airflow UI (runs and task logs)."

say "Catalogue service (CSW) on http://127.0.0.1:${CSW_PORT:-8086}/csw, fed from the portal's ISO 19139 records"
"$ROOT/scripts/csw.sh" start

cat <<INFO

  Offene Daten Chemnitz runs.

    Portal       http://127.0.0.1:$CKAN_PORT/
    Datensätze   http://127.0.0.1:$CKAN_PORT/dataset/
    Action API   http://127.0.0.1:$CKAN_PORT/api/3/action/package_search
    Suche        $search
    Anmelden     http://127.0.0.1:$CKAN_PORT/user/login
                 user: admin   password: $(env_get CKAN_ADMIN_PASSWORD)
    Airflow      http://127.0.0.1:${AIRFLOW_PORT:-8080}/   (harvest DAGs: harvest_<source>)
                 user: admin   password: $(env_get AIRFLOW_ADMIN_PASSWORD)
    Replicas     ArcGIS http://127.0.0.1:8081/file-geojson/rest/services  WFS http://127.0.0.1:8082/wfs
                 files http://127.0.0.1:8083/
                 parking feed http://127.0.0.1:8084/parkapi.json (sample car parks, not real)
                 basemaps http://127.0.0.1:8085/wmts_basemapde/1.0.0/WMTSCapabilities.xml (sample maps, not basemap.de)
    CSW          http://127.0.0.1:${CSW_PORT:-8086}/csw?service=CSW&request=GetCapabilities
                 (pycsw: ISO 19139 records of the geodatasets for GDI-DE, fed from /iso19139 every 5 minutes)

  Settings for scripts and pipelines are in $ENV_FILE (CKAN_URL, CKAN_INI, CKAN_API_TOKEN).
  Logs: $VAR/ckan.log, nginx's in $VAR/demo-proxy/. Stop with Ctrl-C or 'make stop'.

INFO
wait "$(cat "$RUN/ckan.pid")"
