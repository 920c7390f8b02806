"""Adding a source is adding a YAML file: dropped into the sources folder of a running Airflow
(API server, scheduler and DAG processor with the LocalExecutor, as `make demo` runs them; nothing
restarted, nothing else done), its DAG appears and its first run succeeds. The run that published the
dataset emits the dataset's asset event, an unchanged run emits none, and a failing run puts the alert
into the task log that Airflow's UI shows. Removing it (``pipelines.remove``, what ``make remove-source``
runs) leaves nothing: no configuration, DAG, runs, work files, dataset, DataStore table or uploaded file.

The Airflow is bench/airflow_cluster.py's, asked through its REST API as the UI asks it (an
``airflow`` command per poll would start an interpreter each time).
"""

from __future__ import annotations

import contextlib
import secrets
import subprocess
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import ckanapi
import psycopg2
import pytest
import yaml

from bench.airflow_cluster import AirflowCluster, wait
from pipelines import config
from tests.pipelines.conftest import AIRFLOW
from tests.support.portal import INI, as_pipelines, configuration, public

DATABASE = "airflow_new_source_test"
BROKER_DB = 15  # flushed by the cluster, unused by the LocalExecutor (the Celery test's is 13, the executor bench's 14)
STORAGE = config.REPOSITORY / "var" / "e2e-storage" / "resources"  # its uploaded files


@pytest.fixture
def running_airflow(tmp_path: Path, portal: dict[str, str], replicas: object) -> Iterator[AirflowCluster]:
    """A running Airflow 3 with the LocalExecutor whose only DAG bundle is an empty sources folder, its
    work files where `make demo` keeps them: in the work folder (no store of their own)."""
    cluster = AirflowCluster(tmp_path / "airflow", portal, database=DATABASE, broker_db=BROKER_DB,
                             executor="LocalExecutor", settings={"CHEMNITZ_PIPELINE_STORE": ""})  # fmt: skip
    with cluster:
        yield cluster


def _asset_events(airflow: AirflowCluster, dag_id: str, uri: str) -> int:
    """The asset events the DAG's runs emitted, each for the dataset's page ``uri``."""
    events = airflow.api(f"assets/events?source_dag_id={dag_id}&limit=100")["asset_events"]
    assert all(event["uri"] == uri for event in events), events
    return len(events)


def _datastore_tables(names: list[str]) -> list[str]:
    """Those of ``names`` that are tables in the test portal's DataStore database."""
    with psycopg2.connect(configuration()["ckan.datastore.write_url"]) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_name = ANY(%s)", (names,))
        return [row[0] for row in cursor.fetchall()]


def test_a_new_yaml_file_runs_without_restart_announces_changes_and_alerts_in_the_task_log(
    running_airflow, portal, replicas, fault
):
    airflow = running_airflow
    suffix = secrets.token_hex(3)
    document = yaml.safe_load((config.SOURCES / "parkplaetze_reisebus.yaml").read_text(encoding="utf-8"))
    document["id"] = f"neue_quelle_{suffix}"
    # the file drop of this test's replicas (make test runs it beside the other pipeline tests, with
    # replicas of its own: REPLICA_*_PORT), whose fault below no other test sees
    document["source"]["endpoints"]["replica"] = replicas.serving(document["source"]["endpoints"]["replica"])
    document["dataset"] = {**document["dataset"], "name": f"neue-quelle-{suffix}", "title": "Neue Quelle (Test)"}
    # the operator's only step: the file (written aside and renamed, so the DAG processor never sees half of it)
    dag_id, name = airflow.add_source(document)
    target = airflow.sources / f"{document['id']}.yaml"
    uri = f"{portal['CKAN_URL']}/dataset/{name}"
    try:
        # the scheduler starts the first run by itself (@daily, no catch-up: the last interval)
        (first,) = wait(lambda: airflow.ended(dag_id, 1), 300, f"the first run of {dag_id} ended", 2)
        assert first["state"] == "success", airflow.tasks(dag_id, first["dag_run_id"])
        assert public(portal).action.package_show(id=name)["organization"]["name"] == "tiefbauamt"
        assert _asset_events(airflow, dag_id, uri) == 1  # the run that published the dataset announced it

        airflow.api(f"dags/{dag_id}/dagRuns", {"logical_date": None})
        second = wait(lambda: airflow.ended(dag_id, 2), 300, f"the second run of {dag_id} ended", 2)[-1]
        assert second["state"] == "success", airflow.tasks(dag_id, second["dag_run_id"])
        assert _asset_events(airflow, dag_id, uri) == 1  # nothing changed: no event

        fault("files", "http500", times=-1)
        airflow.api(f"dags/{dag_id}/dagRuns", {"logical_date": None})
        third = wait(lambda: airflow.ended(dag_id, 3), 300, f"the third run of {dag_id} ended", 2)[-1]
        assert third["state"] == "failed", third
        logs = airflow.home / "logs" / f"dag_id={dag_id}" / f"run_id={third['dag_run_id']}"
        log = "\n".join(path.read_text(errors="replace") for path in (logs / "task_id=extract").rglob("*.log"))
        assert f"Harvest {dag_id} failed in task extract" in log
        assert f"HTTP 500: 'Internal Server Error'. Nothing was published: the dataset {uri} is as before." in log

        # removing it is one command, and nothing of it is left behind
        resources = public(portal).action.package_show(id=name)["resources"]
        tables = [r["id"] for r in resources if r.get("datastore_active")]
        uploads = [STORAGE / r["id"][:3] / r["id"][3:6] / r["id"][6:] for r in resources if r["url_type"] == "upload"]
        assert tables and uploads and all(upload.exists() for upload in uploads)
        work = Path(airflow.environment["CHEMNITZ_PIPELINE_WORK"]) / dag_id
        assert work.exists()
        removed = subprocess.run(
            [AIRFLOW.with_name("python"), "-m", "pipelines.remove", document["id"], "--sources", airflow.sources,
             "--dags", airflow.home / "source-dags", "--work", work.parent, "--purge", INI],
            env=airflow.environment, capture_output=True, text=True,
        )  # fmt: skip
        assert removed.returncode == 0, removed.stdout + removed.stderr
        purged = f"Purged dataset {name}: {len(tables)} DataStore table(s), {len(uploads)} uploaded file(s)"
        assert purged in removed.stdout
        time.sleep(8)  # two refreshes of the DAG processor (every 3 s): the DAG does not come back
        assert not target.exists() and not (airflow.home / "source-dags" / f"{dag_id}.py").exists()
        assert not work.exists()
        assert airflow.runs(dag_id) == []  # the DAG is unknown to the API: no runs, no DAG
        with pytest.raises(urllib.error.HTTPError) as unknown:
            airflow.api(f"dags/{dag_id}")
        assert unknown.value.code == 404
        with pytest.raises(ckanapi.NotFound):
            public(portal).action.package_show(id=name)
        assert not any(upload.exists() for upload in uploads)
        assert _datastore_tables(tables) == []
    finally:
        target.unlink(missing_ok=True)
        with contextlib.suppress(ckanapi.CKANAPIError, OSError):  # only when the test failed before the removal
            as_pipelines(portal).action.package_delete(id=name)
