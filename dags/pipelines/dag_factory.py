"""Builds the harvest DAG of one source configuration with ``airflow.sdk``.

Parsing does nothing but read and validate the YAML file; all network and data work happens in
the tasks, which are thin wrappers around ``pipelines.steps``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, Asset, Connection, dag, get_current_context, task

from pipelines import alerts, config, steps

log = logging.getLogger(__name__)

CKAN_CONNECTION = "ckan"
WORK = Path(os.environ.get("CHEMNITZ_PIPELINE_WORK", config.REPOSITORY / "var" / "airflow" / "work"))
# The first wait before a failed task is retried (then doubling, up to 10 minutes): long enough for
# a restarted portal or database; the pipeline tests shorten it so failing runs end quickly.
RETRY_DELAY = dt.timedelta(seconds=float(os.environ.get("CHEMNITZ_RETRY_DELAY_SECONDS", "20")))


def harvest_dag(path: str | Path) -> DAG:
    """The DAG ``harvest_<id>`` for the source configuration at ``path``."""
    source = config.load(Path(path))
    dataset = source.dataset["name"]

    @dag(
        dag_id=source.dag_id,
        description=f"{source.dataset['title']}: {source.type} source → CKAN dataset {dataset}",
        schedule=source.schedule,
        start_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
        catchup=False,
        max_active_runs=1,
        tags=["harvest", source.organization, source.type],
        default_args={
            "retries": 3,
            "retry_delay": RETRY_DELAY,
            "retry_exponential_backoff": True,
            "max_retry_delay": dt.timedelta(minutes=10),
            "pool": source.pool,
        },
        on_failure_callback=alerts.harvest_failed,
        doc_md=f"Harvests `{source.path.name}` ({source.url}) into the CKAN dataset `{dataset}`.",
    )
    def harvest() -> None:
        @task
        def extract() -> dict[str, Any]:
            ckan = Connection.get(CKAN_CONNECTION)
            return steps.extract(source, _work_folder(), steps.previous_run(source, ckan.host, ckan.password))

        @task
        def transform(extracted: dict[str, Any]) -> dict[str, Any]:
            return steps.already_published(extracted) or steps.transform(source, extracted, _work_folder())

        @task(outlets=[Asset(f"ckan://dataset/{dataset}")])
        def publish(extracted: dict[str, Any], transformed: dict[str, Any]) -> dict[str, Any]:
            ckan = Connection.get(CKAN_CONNECTION)
            result = steps.publish(source, transformed, ckan.host, ckan.password)
            context = get_current_context()
            steps.record(source, extracted, transformed, result, ckan.host, ckan.password, context["run_id"])
            log.info("Run summary: %s", steps.summary_line(extracted, transformed, result))
            return result

        extracted = extract()
        publish(extracted, transform(extracted))

    return harvest()


def _work_folder() -> Path:
    context = get_current_context()
    return WORK / context["dag"].dag_id / context["run_id"].replace(":", "_").replace("+", "_")
