# Airflow's configuration for the demo, as AIRFLOW__… environment variables (sourced, not run).
#
# Expects lib.sh to be sourced and .env to hold the secrets. Metadata in PostgreSQL, the executor
# chosen in .env (AIRFLOW_EXECUTOR: LocalExecutor by default, or CeleryExecutor), and the DAG bundle of the generated harvest DAGs (one per schemas/sources/*.yaml, see
# dags/pipelines/bundle.py).

: "${AIRFLOW_PORT:=8080}"
export AIRFLOW_HOME="$VAR/airflow"
export PYTHONPATH="$ROOT/dags${PYTHONPATH:+:$PYTHONPATH}"
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql+psycopg2://airflow:$(env_get AIRFLOW_DB_PASSWORD)@$PGHOST:$PGPORT/airflow"
# AIRFLOW_EXECUTOR=CeleryExecutor in .env: tasks go through Redis (database 12) to AIRFLOW_CELERY_WORKERS
# (default 2) Celery workers, separate processes started by scripts/celery-workers.sh, with
# AIRFLOW_WORKER_CONCURRENCY task slots each (default 2); results in Airflow's PostgreSQL database.
AIRFLOW_EXECUTOR="$(env_get AIRFLOW_EXECUTOR)"
export AIRFLOW__CORE__EXECUTOR="${AIRFLOW_EXECUTOR:-LocalExecutor}"
case "$AIRFLOW__CORE__EXECUTOR" in
LocalExecutor) ;;
CeleryExecutor)
    export AIRFLOW__CELERY__BROKER_URL="redis://127.0.0.1:$REDIS_PORT/12"
    export AIRFLOW__CELERY__RESULT_BACKEND="db+postgresql://airflow:$(env_get AIRFLOW_DB_PASSWORD)@$PGHOST:$PGPORT/airflow"
    AIRFLOW_CELERY_WORKERS="$(env_get AIRFLOW_CELERY_WORKERS)" AIRFLOW_WORKER_CONCURRENCY="$(env_get AIRFLOW_WORKER_CONCURRENCY)"
    export AIRFLOW_CELERY_WORKERS="${AIRFLOW_CELERY_WORKERS:-2}" AIRFLOW_WORKER_CONCURRENCY="${AIRFLOW_WORKER_CONCURRENCY:-2}"
    ;;
*) die "AIRFLOW_EXECUTOR=$AIRFLOW__CORE__EXECUTOR in .env is not an executor make demo runs." \
    "Set AIRFLOW_EXECUTOR=LocalExecutor (the default) or CeleryExecutor in .env, or remove the line." ;;
esac
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$AIRFLOW_PORT/execution/"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="admin:admin"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$AIRFLOW_HOME/passwords.json"
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT="$AIRFLOW_PORT"
export AIRFLOW__API_AUTH__JWT_SECRET="$(env_secret AIRFLOW_JWT_SECRET)"
export AIRFLOW__LOGGING__BASE_LOG_FOLDER="$AIRFLOW_HOME/logs"
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=30
export AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST="[
  {\"name\": \"chemnitz-sources\", \"classpath\": \"pipelines.bundle.SourceConfigBundle\",
   \"kwargs\": {\"configs\": \"$ROOT/schemas/sources\", \"path\": \"$AIRFLOW_HOME/source-dags\"}},
  {\"name\": \"chemnitz-dags\", \"classpath\": \"airflow.dag_processing.bundles.local.LocalDagBundle\",
   \"kwargs\": {\"path\": \"$ROOT/dags\"}}
]"
export CHEMNITZ_PIPELINE_WORK="$AIRFLOW_HOME/work"
# Where a harvest's tasks hand each other their data (dags/pipelines/store.py): the work folder, or
# what .env names (CHEMNITZ_PIPELINE_STORE, e.g. s3://bucket/prefix, with the connection CHEMNITZ_PIPELINE_STORE_CONN).
for _store_setting in CHEMNITZ_PIPELINE_STORE CHEMNITZ_PIPELINE_STORE_CONN; do
    if [ -n "$(env_get "$_store_setting")" ]; then
        export "$_store_setting=$(env_get "$_store_setting")"
    fi
done
export CHEMNITZ_PIPELINE_ARCHIVE="$AIRFLOW_HOME/archive"  # the occupancy feed's answers (docs/parking.md)
export CHEMNITZ_PORTAL_URL="$(env_get CKAN_URL)"  # the datasets' public addresses (assets, DAG docs, alerts)
# Failure alerts by webhook and e-mail (dags/pipelines/alerts.py): the settings from .env that are set.
for _alert_setting in CHEMNITZ_ALERT_WEBHOOK CHEMNITZ_ALERT_EMAIL CHEMNITZ_ALERT_EMAIL_FROM CHEMNITZ_ALERT_SMTP_HOST \
    CHEMNITZ_ALERT_SMTP_PORT CHEMNITZ_ALERT_SMTP_STARTTLS CHEMNITZ_ALERT_SMTP_USER CHEMNITZ_ALERT_SMTP_PASSWORD; do
    if [ -n "$(env_get "$_alert_setting")" ]; then
        export "$_alert_setting=$(env_get "$_alert_setting")"
    fi
done
# The pipelines publish as the `pipelines` user (editor of the departments, not a sysadmin).
export AIRFLOW_CONN_CKAN="{\"conn_type\": \"http\", \"host\": \"$(env_get CKAN_URL)\", \"password\": \"$(env_get CKAN_API_TOKEN)\"}"
