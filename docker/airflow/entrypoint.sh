#!/bin/sh
# Entry point of the Airflow image: the portal's pipelines under Airflow 3 with the CeleryExecutor.
#   init     migrate Airflow's metadata database (the compose file's one-shot airflow-init service)
#   other    an Airflow component: api-server, scheduler, dag-processor, triggerer, celery worker
# Configuration is AIRFLOW__SECTION__KEY and AIRFLOW_CONN_… variables (docs/deployment.md); the
# UI login's password comes from AIRFLOW_ADMIN_PASSWORD.
set -eu
: "${AIRFLOW_HOME:=/opt/airflow}" "${PORTAL_ROOT:=/srv/portal}"
: "${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:=$AIRFLOW_HOME/passwords.json}"
export AIRFLOW_HOME AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE
mkdir -p "$AIRFLOW_HOME/logs" "${CHEMNITZ_PIPELINE_WORK:=$AIRFLOW_HOME/work}"
export CHEMNITZ_PIPELINE_WORK
# The DAG bundles: one generated DAG per schemas/sources/*.yaml, and the hand-written DAGs.
: "${AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST:=[
  {\"name\": \"chemnitz-sources\", \"classpath\": \"pipelines.bundle.SourceConfigBundle\",
   \"kwargs\": {\"configs\": \"$PORTAL_ROOT/schemas/sources\", \"path\": \"$AIRFLOW_HOME/source-dags\"}},
  {\"name\": \"chemnitz-dags\", \"classpath\": \"airflow.dag_processing.bundles.local.LocalDagBundle\",
   \"kwargs\": {\"path\": \"$PORTAL_ROOT/dags\"}}]}"
export AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST
if [ -n "${AIRFLOW_ADMIN_PASSWORD:-}" ]; then
    python -c 'import json, os, sys; json.dump({"admin": os.environ["AIRFLOW_ADMIN_PASSWORD"]}, open(sys.argv[1], "w"))' \
        "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
fi

case "${1:?usage: entrypoint.sh init | api-server | scheduler | dag-processor | triggerer | celery worker}" in
init)
    airflow db migrate
    ;;
*)
    exec airflow "$@"
    ;;
esac
