"""Builds the harvest DAG of one source configuration with ``airflow.sdk``.

Parsing does nothing but read and validate the YAML file; all network and data work happens in
the tasks, which are thin wrappers around ``pipelines.steps``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from airflow.sdk import DAG, Asset, Connection, ObjectStoragePath, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException

from pipelines import alerts, config, steps, store

log = logging.getLogger(__name__)

CKAN_CONNECTION = "ckan"
WORK = store.WORK  # a task's own files (the parking feed); a harvest's tasks share theirs through the store
# The first wait before a failed task is retried (then doubling, up to 10 minutes): long enough for
# a restarted portal or database; the pipeline tests shorten it so failing runs end quickly.
RETRY_DELAY = dt.timedelta(seconds=float(os.environ.get("CHEMNITZ_RETRY_DELAY_SECONDS", "20")))
# The portal's public address: the DAGs' assets, links and alerts name the datasets by it.
PORTAL_URL = os.environ.get("CHEMNITZ_PORTAL_URL", "http://127.0.0.1:5000").rstrip("/")
ORGANIZATIONS = config.REPOSITORY / "schemas" / "organizations.yaml"
SOURCE_TYPES = {"arcgis": "ArcGIS FeatureServer", "wfs": "WFS 2.0", "csv": "CSV file", "xlsx": "XLSX file"}


def harvest_dag(path: str | Path) -> DAG:
    """The DAG ``harvest_<id>`` for the source configuration at ``path``."""
    source = config.load(Path(path))
    dataset = source.dataset["name"]
    department = departments().get(source.organization, source.organization)
    address = dataset_url(dataset)

    @dag(
        dag_id=source.dag_id,
        description=f"{source.dataset['title']}: {source.type} source → CKAN dataset {dataset}",
        schedule=source.schedule,
        start_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
        catchup=False,
        # One run at a time, its tasks one after the other: at most `pool_slots` (default 1) tasks,
        # and so request streams, against the department's server. Unlike a per-source pool this
        # needs nothing created before the first run, so a new YAML file runs as soon as it parses.
        max_active_runs=1,
        max_active_tasks=int(source.source.get("pool_slots", 1)),
        tags=["harvest", source.organization, source.type],
        owner_links={department: f"{PORTAL_URL}/organization/{source.organization}"},
        default_args={
            "owner": department,
            "retries": 3,
            "retry_delay": RETRY_DELAY,
            "retry_exponential_backoff": True,
            "max_retry_delay": dt.timedelta(minutes=10),
            "on_failure_callback": alerts.HarvestFailed(address),
        },
        doc_md=documentation(source, department, address),
    )
    def harvest() -> None:
        @task
        def extract() -> dict[str, Any]:
            ckan = Connection.get(CKAN_CONNECTION)
            return steps.extract(source, _work_folder(), steps.previous_run(source, ckan.host, ckan.password))

        @task
        def transform(extracted: dict[str, Any]) -> dict[str, Any]:
            return steps.already_published(extracted) or steps.transform(source, extracted, _work_folder())

        @task
        def publish(extracted: dict[str, Any], transformed: dict[str, Any]) -> dict[str, Any]:
            ckan = Connection.get(CKAN_CONNECTION)
            result = steps.publish(source, transformed, ckan.host, ckan.password)
            context = get_current_context()
            steps.record(source, extracted, transformed, result, ckan.host, ckan.password, context["run_id"])
            log.info("Run summary: %s", steps.summary_line(extracted, transformed, result))
            return result

        @task(outlets=[Asset(name=dataset, uri=address, group="dataset")])
        def announce(published: dict[str, Any]) -> None:
            """The dataset's asset event, only when this run changed it (a skipped task emits none)."""
            if not published["changed"]:
                raise AirflowSkipException(f"{address} is unchanged: no asset event")
            log.info("Asset event for %s: the dataset changed", address)

        extracted = extract()
        # At parse time each task is called with XComArgs standing for its upstream tasks' results.
        announce(publish(extracted, transform(extracted)))  # type: ignore[arg-type]

    return harvest()


def dataset_url(name: str) -> str:
    """The dataset's public address in the portal."""
    return f"{PORTAL_URL}/dataset/{name}"


@cache
def departments() -> dict[str, str]:
    """Organization id → title of the city's departments (schemas/organizations.yaml)."""
    document = yaml.safe_load(ORGANIZATIONS.read_text(encoding="utf-8"))
    return {item["name"]: item["title"] for item in document["organizations"]}


def documentation(source: config.SourceConfig, department: str, address: str) -> str:
    """The DAG's page in Airflow's UI: where the data comes from, when, whose it is, where it goes."""
    kind = SOURCE_TYPES.get(source.type, source.type)
    return "\n".join([
        f"### {source.dataset['title']}",
        "",
        f"* **Source:** {kind} <{source.url}> (configuration `schemas/sources/{source.path.name}`)",
        f"* **Schedule:** `{source.schedule}`",
        f"* **Department:** [{department}]({PORTAL_URL}/organization/{source.organization})",
        f"* **Dataset:** [{address}]({address})",
        "",
        "A failed run alerts with the error and what it changed (docs/pipelines.md, \"Failures\").",
    ])  # fmt: skip


def _work_folder() -> ObjectStoragePath:
    """The run's folder in the pipeline store, which every worker reaches (``pipelines.store``)."""
    context = get_current_context()
    return store.run_folder(context["dag"].dag_id, context["run_id"])
