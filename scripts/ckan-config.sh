#!/usr/bin/env bash
# Writes the CKAN configuration of the demo (var/ckan.ini) or of the tests (var/test.ini) and
# brings its databases up to date. The file is generated once (`ckan generate config`) and then
# only updated with `ckan config-tool`, so a second run changes nothing but what is listed here.
#
# Usage: scripts/ckan-config.sh demo|test|test-solr|e2e|bench|lighthouse|harvest
#   demo   the portal of `make demo` (var/ckan.ini); searching on PostgreSQL, or on the SolrCloud of
#          scripts/solr.sh when .env (or the environment) says CKAN_SEARCH=solr
#   test   CKAN's pytest configuration (var/test.ini), and one per pytest-xdist worker (var/test-gwN.ini)
#   test-solr  the same tests on the SolrCloud of scripts/solr.sh (var/test-solr.ini), with databases
#          (ckan_test_solr, datastore_test_solr), Redis database and storage of their own
#   e2e    a throw-away portal the pipeline tests publish into (var/e2e.ini, port E2E_PORT)
#   bench  the portal's plugins on the scratch databases of `make bench` (var/bench.ini)
#   lighthouse  the demo's settings on ckan_lh/datastore_lh, which the Lighthouse part of `make bench`
#          fills with copies of the demo's catalogue (empty in a smoke run): var/lighthouse.ini, port
#          LIGHTHOUSE_PORT, basemaps from the replica on LIGHTHOUSE_BASEMAPS_PORT, the demo's uploads
#   harvest  a second, empty site with ckanext-harvest's DCAT RDF harvester (var/harvest.ini), into
#          which the harvestability test imports the test portal's catalogue
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mode="${1:?usage: ckan-config.sh demo|test|test-solr|e2e|bench|lighthouse|harvest}"
extra_migrations=""
ckan="$CKAN_VENV/bin/ckan"
url() { printf 'postgresql://%s:%s@%s:%s/%s' "$1" "$(env_get "$2")" "$PGHOST" "$PGPORT" "$3"; }
# The collection of scripts/solr.sh's SolrCloud.
solr_port="${SOLR_PORT:-$(env_get SOLR_PORT)}"
solr_url="http://127.0.0.1:${solr_port:-8983}/solr/ckan"

# portal_settings DATABASE DATASTORE PORT SITE_ID STORAGE: a complete portal as `make demo` runs it.
portal_settings() {
    settings=(
        "sqlalchemy.url=$(url ckan_default CKAN_DB_PASSWORD "$1")"
        "ckan.datastore.write_url=$(url datastore_write DATASTORE_WRITE_PASSWORD "$2")"
        "ckan.datastore.read_url=$(url datastore_ro DATASTORE_RO_PASSWORD "$2")"
        "ckan.site_url=http://127.0.0.1:$3"
        "ckan.site_id=$4"
        "ckan.redis.url=redis://127.0.0.1:$REDIS_PORT/0"
        "ckan.storage_path=$5"
        # The portal fetches resource URLs only from the replicas (ckanext/chemnitz/security/outbound.py).
        "ckanext.chemnitz.outbound.allowed_hosts=127.0.0.1:${REPLICA_ARCGIS_PORT:-8081} 127.0.0.1:${REPLICA_WFS_PORT:-8082} 127.0.0.1:${REPLICA_FILES_PORT:-8083} 127.0.0.1:${REPLICA_PARKING_PORT:-8084}"
        "${portal_conf[@]}"
        "solr_url=${portal_solr_url:-}"
    )
}

# closed_maps: every background map layer from a closed port, so no page of a test portal asks outside.
closed_maps() {
    local closed="http://127.0.0.1:9"
    settings+=("ckanext.chemnitz.map.basemap_grey_url=$closed/grau/{z}/{y}/{x}.png"
               "ckanext.chemnitz.map.basemap_colour_url=$closed/farbe/{z}/{y}/{x}.png"
               "ckanext.chemnitz.map.aerial_url=$closed/wms"
               "ckanext.chemnitz.map.tile_url=$closed/{z}/{x}/{y}.png")
}

# replica_maps BASE_URL: background maps from the basemap replica (replica/basemaps.py: sample maps under
# basemap.de's and GeoSN's paths), so a portal shows them offline; docs/saxony.md names the real addresses.
replica_maps() {
    settings+=("ckanext.chemnitz.map.basemap_grey_url=$1/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_grau/default/GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png"
               "ckanext.chemnitz.map.basemap_colour_url=$1/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_farbe/default/GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png"
               "ckanext.chemnitz.map.aerial_url=$1/wms_geosn_dop-rgb/guest")
}

# solr_collection NAME: a collection of the SolrCloud from the configset "ckan", 2 shards x 1 replica,
# created unless it exists; every start of scripts/solr.sh begins without it.
solr_collection() {
    local admin="${solr_url%/*}/admin/collections"
    curl -fsS "$admin?action=LIST&wt=json" | grep -q "\"$1\"" && return 0
    curl -fsS "$admin?action=CREATE&name=$1&numShards=2&replicationFactor=1&collection.configName=ckan&waitForFinalState=true&wt=json" \
        >>"$VAR/db-upgrade-test-solr.log" || die "Could not create the Solr collection $1 (log: $VAR/db-upgrade-test-solr.log)." \
        "Check that the SolrCloud runs (scripts/solr.sh status), then run the command again."
}

mkdir -p "$VAR"
# DCAT-AP.de: the dataset schema, the RDF profile, the dcat-ap.de licences as CKAN's licence list.
"$CKAN_VENV/bin/python" -c 'import json, sys
from ckanext.chemnitz.dcat.vocabularies import license_register
json.dump(license_register(), sys.stdout, ensure_ascii=False, indent=1)' >"$VAR/licenses.json.$$"
# Replaced in one step: `make test` writes other sites' settings while test portals read this file.
mv "$VAR/licenses.json.$$" "$VAR/licenses.json"
# portal_conf: the shared settings of config/ckan-portal.conf as key=value words.
portal_conf=()
while IFS= read -r line; do
    case "$line" in '#'* | '') continue ;; esac
    line="${line//\{root\}/$ROOT}"
    portal_conf+=("${line%% = *}=${line#* = }")
done < <(sed -e "s|{var}|$VAR|g" "$ROOT/config/ckan-portal.conf")
# CKAN's own tests get the DCAT-AP.de part alone (their locale, title etc. are CKAN's).
dcat_settings=()
for setting in "${portal_conf[@]}"; do
    case "$setting" in scheming.* | licenses_group_url=* | ckanext.dcat.*) dcat_settings+=("$setting") ;; esac
done
portal_plugins="$(sed -n 's/^ckan.plugins = //p' "$ROOT/config/ckan-portal.conf")"

case "$mode" in
demo)
    ini="$VAR/ckan.ini"
    plugins="$portal_plugins"
    case "${CKAN_SEARCH:-$(env_get CKAN_SEARCH)}" in
    "" | postgres) portal_solr_url="" ;;
    solr) portal_solr_url="$solr_url" ;;
    *) die "CKAN_SEARCH=${CKAN_SEARCH:-$(env_get CKAN_SEARCH)} is neither postgres nor solr." "Set CKAN_SEARCH=postgres (the default) or CKAN_SEARCH=solr in .env." ;;
    esac
    portal_settings ckan_default datastore_default "$CKAN_PORT" chemnitz "$VAR/storage"
    replica_maps "http://127.0.0.1:${REPLICA_BASEMAPS_PORT:-8085}"
    ;;
lighthouse)
    ini="$VAR/lighthouse.ini"
    plugins="$portal_plugins"
    # the demo's uploads (read only: the resources of the copied catalogue link to them)
    portal_settings ckan_lh datastore_lh "${LIGHTHOUSE_PORT:-5070}" chemnitz-lh "$VAR/storage"
    replica_maps "http://127.0.0.1:${LIGHTHOUSE_BASEMAPS_PORT:-5072}"
    settings+=("ckan.redis.url=redis://127.0.0.1:$REDIS_PORT/2")
    ;;
e2e)
    ini="$VAR/e2e.ini"
    plugins="$portal_plugins"
    portal_settings ckan_e2e datastore_e2e "${E2E_PORT:-5055}" chemnitz-e2e "$VAR/e2e-storage"
    # No request leaves the machine in the tests: map tiles from a closed port (the fallback is tested).
    closed_maps
    ;;
bench)
    ini="$VAR/bench.ini"
    plugins="$portal_plugins"
    portal_settings ckan_bench datastore_bench "${BENCH_PORT:-5057}" chemnitz-bench "$VAR/bench-storage"
    # No request leaves the machine in the benchmarks either: map tiles from a closed port.
    closed_maps
    settings+=("ckan.redis.url=redis://127.0.0.1:$REDIS_PORT/2")
    ;;
harvest)
    ini="$VAR/harvest.ini"
    plugins="chemnitz_search chemnitz scheming_datasets dataset_series dcat harvest dcat_rdf_harvester"
    portal_settings ckan_harvest datastore_test 5056 chemnitz-harvest "$VAR/harvest-storage"
    settings+=("ckan.redis.url=redis://127.0.0.1:$REDIS_PORT/3")
    extra_migrations=" harvest"
    ;;
test | test-solr)
    ini="$VAR/$mode.ini"
    plugins="chemnitz_search"
    # CKAN core requires solr_url: on PostgreSQL an unused one is given and the backend is forced.
    database=ckan_test datastore=datastore_test backend=postgres search_url="http://127.0.0.1:8983/solr/not-used"
    redis=1 storage="$VAR/test-storage"
    if [ "$mode" = test-solr ]; then
        database=ckan_test_solr datastore=datastore_test_solr backend=solr search_url="$solr_url"
        redis=9 storage="$VAR/test-solr-storage"
        ensure_database "$database" ckan_default
        ensure_database "$datastore" datastore_write
    fi
    # CKAN's own test settings (test-core.ini of the CKAN repository) so its tests run unchanged.
    settings=(
        "sqlalchemy.url=$(url ckan_default CKAN_DB_PASSWORD "$database")"
        "ckan.datastore.write_url=$(url datastore_write DATASTORE_WRITE_PASSWORD "$datastore")"
        "ckan.datastore.read_url=$(url datastore_ro DATASTORE_RO_PASSWORD "$datastore")"
        "solr_url=$search_url"
        "ckanext.chemnitz.search.backend=$backend"
        "ckan.site_url=http://test.ckan.net"
        "ckan.site_id=test.ckan.net"
        "ckan.site_title=CKAN"
        "ckan.site_description="
        "ckan.locale_default=en"
        "ckan.redis.url=redis://127.0.0.1:$REDIS_PORT/$redis"
        "ckan.storage_path=$storage"
        "testing=true"
        "ckan.extra_resource_fields=alt_url"
        "ckan.auth.create_unowned_dataset=true"
        "ckan.auth.create_user_via_web=true"
        "ckan.auth.create_dataset_if_not_in_organization=true"
        "ckan.auth.user_create_organizations=true"
        "ckan.auth.user_create_groups=true"
        "ckan.auth.user_delete_groups=true"
        "ckan.auth.user_delete_organizations=true"
        "ckan.auth.create_default_api_keys=true"
        "ckan.datasets_per_page=20"
        "ckan.tracking_enabled=true"
        "ckan.activity_streams_email_notifications=true"
        "smtp.test_server=localhost:6675"
        "smtp.mail_from=info@test.ckan.net"
        "${dcat_settings[@]}"
    )
    ;;
*) die "unknown mode '$mode'" "use demo, test, test-solr, e2e, bench, lighthouse or harvest" ;;
esac

mkdir -p "$VAR"
if [ ! -f "$ini" ]; then
    "$ckan" generate config "$ini" >/dev/null
fi
"$ckan" config-tool "$ini" "SECRET_KEY=$(env_secret CKAN_SECRET_KEY)" "${settings[@]}"

# Migrations of plugins (activity) run only for enabled plugins: migrate with all of them.
"$ckan" config-tool "$ini" "ckan.plugins=chemnitz_search chemnitz datastore activity$extra_migrations"
"$ckan" -c "$ini" db upgrade >"$VAR/db-upgrade-$mode.log" 2>&1 \
    || { tail -n 20 "$VAR/db-upgrade-$mode.log" >&2; die "Upgrading the $mode database failed (log: $VAR/db-upgrade-$mode.log)." "Read the log; check that PostgreSQL is running and the passwords in .env are the roles' passwords."; }
"$ckan" -c "$ini" datastore set-permissions 2>>"$VAR/db-upgrade-$mode.log" | psql_admin >/dev/null
"$ckan" config-tool "$ini" "ckan.plugins=$plugins"

# pytest-xdist workers (make test runs the CKAN suites with -n 2): worker gwN gets var/test-gwN.ini
# (tests/ckan_support.py picks it) with copies of the just migrated test databases, made from them
# as templates instead of migrating again, its own Redis database (10+N) and storage folder.
# TEST_WORKERS=<n> prepares more workers (at most 6: Redis has 16 databases). On Solr (test-solr:
# var/test-solr-gwN.ini) a worker also gets a collection of its own, ckan_gwN (2 shards, one on each
# node, from the configset "ckan"; one replica each, which halves the cost of every commit — the
# replicas are tested on "ckan" by tests/solr), and Redis database 6+N (at most 3 workers).
if [ "$mode" = test ] || [ "$mode" = test-solr ]; then
    workers="${TEST_WORKERS:-2}"
    most=6 first_redis=10 suffix=""
    [ "$mode" = test-solr ] && most=3 first_redis=6 suffix=_solr
    [ "$workers" -ge 1 ] && [ "$workers" -le "$most" ] || die "TEST_WORKERS=$workers is not between 1 and $most." "Set TEST_WORKERS to the number of pytest-xdist workers (-n), at most $most."
    # copy_database TEMPLATE NAME OWNER: NAME afresh as a copy of TEMPLATE, which must have no
    # other connection; the processes above may take a moment to let go of it.
    copy_database() {
        psql_admin -c "DROP DATABASE IF EXISTS $2" >/dev/null 2>>"$VAR/db-upgrade-$mode.log" \
            || die "Could not drop the worker database $2 (log: $VAR/db-upgrade-$mode.log)." "Something still uses it (a test run?): let it finish or stop it, then run the command again."
        for _ in $(seq 1 10); do
            psql_admin -c "CREATE DATABASE $2 TEMPLATE $1 OWNER $3" >/dev/null 2>>"$VAR/db-upgrade-$mode.log" && return 0
            sleep 1
        done
        die "Could not copy $1 to $2 (log: $VAR/db-upgrade-$mode.log)." "A copy needs $1 without other connections: let the program that uses it (a test run?) finish or stop it, then run the command again."
    }
    for ((n = 0; n < workers; n++)); do
        copy_database "$database" "${database}_gw$n" ckan_default
        copy_database "$datastore" "${datastore}_gw$n" datastore_write
        worker_ini="$VAR/$mode-gw$n.ini"
        cp "$ini" "$worker_ini"
        "$ckan" config-tool "$worker_ini" \
            "sqlalchemy.url=$(url ckan_default CKAN_DB_PASSWORD "${database}_gw$n")" \
            "ckan.datastore.write_url=$(url datastore_write DATASTORE_WRITE_PASSWORD "${datastore}_gw$n")" \
            "ckan.datastore.read_url=$(url datastore_ro DATASTORE_RO_PASSWORD "${datastore}_gw$n")" \
            "ckan.redis.url=redis://127.0.0.1:$REDIS_PORT/$((first_redis + n))" \
            "ckan.storage_path=$VAR/test${suffix}-storage-gw$n"
        if [ "$mode" = test-solr ]; then
            "$ckan" config-tool "$worker_ini" "solr_url=${solr_url}_gw$n"
            solr_collection "ckan_gw$n"
        fi
        # The read-only role's CONNECT is granted per database: not part of the copy.
        "$ckan" -c "$worker_ini" datastore set-permissions 2>>"$VAR/db-upgrade-$mode.log" | psql_admin >/dev/null
    done
fi
