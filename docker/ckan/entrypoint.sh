#!/bin/sh
# Entry point of the CKAN image. Every start writes the configuration file from the environment
# (docker/ckan/settings.py), then runs the command:
#   serve    gunicorn with CKAN_WORKERS workers on port 5000 (the default command)
#   migrate  database migrations of CKAN and its plugins, and the DataStore's permissions when
#            POSTGRES_ADMIN_URL is given (the compose file's one-shot ckan-migrate service)
#   bootstrap  the sysadmin, the pipelines' user (editor of every department) and the departments;
#            prints CKAN_API_TOKEN=… when it created the pipelines' token (needs CKAN_ADMIN_PASSWORD)
#   other    run as given, e.g. `ckan search-index rebuild` (CKAN_INI is set)
set -eu
: "${PORTAL_ROOT:=/srv/portal}" "${CKAN_INI:=$PORTAL_ROOT/var/ckan.ini}" "${CKAN_WORKERS:=4}" "${CKAN_BIND:=0.0.0.0:5000}"
export PORTAL_ROOT CKAN_INI
python "$PORTAL_ROOT/docker/ckan/settings.py"

case "${1:-serve}" in
serve)
    exec gunicorn --chdir "$PORTAL_ROOT/scripts" --workers "$CKAN_WORKERS" --timeout 120 --bind "$CKAN_BIND" \
        --access-logfile - --error-logfile - wsgi:application
    ;;
migrate)
    ckan -c "$CKAN_INI" db upgrade
    if [ -n "${POSTGRES_ADMIN_URL:-}" ]; then
        ckan -c "$CKAN_INI" datastore set-permissions | psql -q -v ON_ERROR_STOP=1 "$POSTGRES_ADMIN_URL"
    fi
    ;;
bootstrap)
    CKAN_API_TOKEN="${CKAN_API_TOKEN:-}" exec python "$PORTAL_ROOT/scripts/bootstrap_portal.py" "$CKAN_INI"
    ;;
*)
    exec "$@"
    ;;
esac
