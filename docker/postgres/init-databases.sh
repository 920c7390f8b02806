#!/bin/sh
# First start of the PostgreSQL container (docker-entrypoint-initdb.d): the roles and databases of
# CKAN, the DataStore (a writing and a read-only role) and Airflow. Passwords come from the
# environment (docker/.env). The DataStore's table permissions are set later by the ckan-migrate
# service (`ckan datastore set-permissions`), which knows CKAN's current rules.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v ckan_password="$CKAN_DB_PASSWORD" \
    -v write_password="$DATASTORE_WRITE_PASSWORD" \
    -v ro_password="$DATASTORE_RO_PASSWORD" \
    -v airflow_password="$AIRFLOW_DB_PASSWORD" <<'SQL'
CREATE ROLE ckan_default LOGIN PASSWORD :'ckan_password';
CREATE ROLE datastore_write LOGIN PASSWORD :'write_password';
CREATE ROLE datastore_ro LOGIN PASSWORD :'ro_password';
CREATE ROLE airflow LOGIN PASSWORD :'airflow_password';
CREATE DATABASE ckan_default OWNER ckan_default ENCODING 'UTF8';
CREATE DATABASE datastore_default OWNER ckan_default ENCODING 'UTF8';
CREATE DATABASE airflow OWNER airflow ENCODING 'UTF8';
SQL
