"""Adding a source is adding a YAML file: dropped into the sources folder of a running Airflow
(API server, scheduler and DAG processor, as `make demo` runs them; nothing restarted, nothing else
done), its DAG appears and its first run succeeds. The run that published the dataset emits the
dataset's asset event, an unchanged run emits none, and a failing run puts the alert into the task
log that Airflow's UI shows. Removing it (``pipelines.remove``, what ``make remove-source`` runs)
leaves nothing: no configuration, DAG, runs, work files, dataset, DataStore table or uploaded file.
"""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg2
import pytest
import yaml

from pipelines import config
from tests.pipelines.conftest import AIRFLOW, action, write

COMPONENTS = ("api-server", "scheduler", "dag-processor")
E2E_INI = config.REPOSITORY / "var" / "e2e.ini"  # the test portal's settings (scripts/e2e-portal.sh)
STORAGE = config.REPOSITORY / "var" / "e2e-storage" / "resources"  # its uploaded files


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def running_airflow(tmp_path: Path, portal: dict[str, str], replicas: object) -> Iterator[tuple[dict[str, str], Path]]:
    """A running Airflow 3 (LocalExecutor) whose only DAG bundle is an empty sources folder: its
    environment and that folder."""
    home, sources, port = tmp_path / "airflow", tmp_path / "sources", _free_port()
    sources.mkdir()
    bundles = [{"name": "chemnitz-sources", "classpath": "pipelines.bundle.SourceConfigBundle",
                "kwargs": {"configs": str(sources), "path": str(home / "source-dags")}}]  # fmt: skip
    environment = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(24),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(bundles),
        "PYTHONPATH": str(config.REPOSITORY / "dags"),
        "CHEMNITZ_PIPELINE_WORK": str(home / "work"),
        "CHEMNITZ_RETRY_DELAY_SECONDS": "1",
        "CHEMNITZ_PORTAL_URL": portal["CKAN_URL"],
        "AIRFLOW_CONN_CKAN": json.dumps(
            {"conn_type": "http", "host": portal["CKAN_URL"], "password": portal["CKAN_API_TOKEN"]}
        ),
    }
    subprocess.run([AIRFLOW, "db", "migrate"], env=environment, check=True, capture_output=True)
    processes = []
    for component in COMPONENTS:
        with (tmp_path / f"{component}.log").open("wb") as log:
            processes.append(subprocess.Popen([AIRFLOW, component], env=environment, stdout=log,
                                              stderr=subprocess.STDOUT, start_new_session=True))  # fmt: skip
    try:
        health = _wait(lambda: _healthy(port), 180, "Airflow's API server and DAG processor are healthy")
        assert health
        yield environment, sources
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5) as answer:
            health = json.load(answer)
    except OSError:
        return False
    parts = ("metadatabase", "scheduler", "dag_processor")
    return all(health.get(part, {}).get("status") == "healthy" for part in parts)


def _wait(condition: Callable[[], object], seconds: float, what: str) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(2)
    raise AssertionError(f"not within {seconds} s: {what}")


def _runs(airflow: dict[str, str], dag_id: str) -> list[dict]:
    listed = subprocess.run([AIRFLOW, "dags", "list-runs", dag_id, "-o", "json"], env=airflow,
                            capture_output=True, text=True)  # fmt: skip
    tables = [line for line in listed.stdout.splitlines() if line.startswith("[")]  # warnings print to stdout too
    return json.loads(tables[-1]) if listed.returncode == 0 and tables else []


def _ended(airflow: dict[str, str], dag_id: str, count: int) -> list[dict] | None:
    """The DAG's runs once ``count`` of them have ended (newest first)."""
    runs = _runs(airflow, dag_id)
    return runs if sum(run["state"] in ("success", "failed") for run in runs) >= count else None


def _asset_events(airflow: dict[str, str], uri: str) -> int:
    script = (
        "import sys\n"
        "from sqlalchemy import func, select\n"
        "from airflow.models.asset import AssetEvent, AssetModel\n"
        "from airflow.utils.session import create_session\n"
        "with create_session() as session:\n"
        "    print(session.scalar(select(func.count()).select_from(AssetEvent).join(AssetModel,"
        " AssetEvent.asset_id == AssetModel.id).where(AssetModel.uri == sys.argv[1])))\n"
    )
    counted = subprocess.run([AIRFLOW.with_name("python"), "-c", script, uri], env=airflow, capture_output=True,
                             text=True, check=True)  # fmt: skip
    return int(counted.stdout.strip().splitlines()[-1])


def _datastore_tables(names: list[str]) -> list[str]:
    """Those of ``names`` that are tables in the test portal's DataStore database."""
    ini = configparser.RawConfigParser(strict=False)
    ini.read(E2E_INI)
    with psycopg2.connect(ini["app:main"]["ckan.datastore.write_url"]) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_name = ANY(%s)", (names,))
        return [row[0] for row in cursor.fetchall()]


def test_a_new_yaml_file_runs_without_restart_announces_changes_and_alerts_in_the_task_log(
    running_airflow, portal, replicas, fault
):
    airflow, sources = running_airflow
    suffix = secrets.token_hex(3)
    document = yaml.safe_load((config.SOURCES / "parkplaetze_reisebus.yaml").read_text(encoding="utf-8"))
    document["id"] = f"neue_quelle_{suffix}"
    # the file drop of this test's replicas (make test runs it beside the other pipeline tests, with
    # replicas of its own: REPLICA_*_PORT), whose fault below no other test sees
    replica = document["source"]["endpoints"]["replica"]
    document["source"]["endpoints"]["replica"] = f"{replicas.files}/{replica.rsplit('/', 1)[1]}"
    document["dataset"] = {**document["dataset"], "name": f"neue-quelle-{suffix}", "title": "Neue Quelle (Test)"}
    dag_id, name = f"harvest_{document['id']}", document["dataset"]["name"]
    uri = f"{portal['CKAN_URL']}/dataset/{name}"
    # the operator's only step: the file, written aside and renamed so the DAG processor never sees half of it
    target = sources / f"{document['id']}.yaml"
    target.with_suffix(".part").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    target.with_suffix(".part").rename(target)
    try:
        # the scheduler starts the first run by itself (@daily, no catch-up: the last interval)
        (first,) = _wait(lambda: _ended(airflow, dag_id, 1), 300, f"the first run of {dag_id} ended")
        assert first["state"] == "success", first
        assert action(portal, "package_show", id=name)["organization"]["name"] == "tiefbauamt"
        assert _asset_events(airflow, uri) == 1  # the run that published the dataset announced it

        subprocess.run([AIRFLOW, "dags", "trigger", dag_id], env=airflow, check=True, capture_output=True)
        second = _wait(lambda: _ended(airflow, dag_id, 2), 300, f"the second run of {dag_id} ended")[0]
        assert second["state"] == "success", second
        assert _asset_events(airflow, uri) == 1  # nothing changed: no event

        fault("files", "http500", times=-1)
        subprocess.run([AIRFLOW, "dags", "trigger", dag_id], env=airflow, check=True, capture_output=True)
        third = _wait(lambda: _ended(airflow, dag_id, 3), 300, f"the third run of {dag_id} ended")[0]
        assert third["state"] == "failed", third
        logs = Path(airflow["AIRFLOW_HOME"]) / "logs" / f"dag_id={dag_id}" / f"run_id={third['run_id']}"
        log = "\n".join(path.read_text(errors="replace") for path in (logs / "task_id=extract").rglob("*.log"))
        assert f"Harvest {dag_id} failed in task extract" in log
        assert f"HTTP 500: 'Internal Server Error'. Nothing was published: the dataset {uri} is as before." in log

        # removing it is one command, and nothing of it is left behind
        resources = action(portal, "package_show", id=name)["resources"]
        tables = [r["id"] for r in resources if r.get("datastore_active")]
        uploads = [STORAGE / r["id"][:3] / r["id"][3:6] / r["id"][6:] for r in resources if r["url_type"] == "upload"]
        assert tables and uploads and all(upload.exists() for upload in uploads)
        home = Path(airflow["AIRFLOW_HOME"])
        work = Path(airflow["CHEMNITZ_PIPELINE_WORK"]) / dag_id
        assert work.exists()
        removed = subprocess.run(
            [AIRFLOW.with_name("python"), "-m", "pipelines.remove", document["id"], "--sources", sources,
             "--dags", home / "source-dags", "--work", work.parent, "--purge", E2E_INI],
            env=airflow, capture_output=True, text=True,
        )  # fmt: skip
        assert removed.returncode == 0, removed.stdout + removed.stderr
        purged = f"Purged dataset {name}: {len(tables)} DataStore table(s), {len(uploads)} uploaded file(s)"
        assert purged in removed.stdout
        time.sleep(12)  # two refreshes of the DAG processor: the DAG does not come back
        assert not target.exists() and not (home / "source-dags" / f"{dag_id}.py").exists() and not work.exists()
        assert _runs(airflow, dag_id) == []
        listed = subprocess.run([AIRFLOW, "dags", "list", "-o", "json"], env=airflow, capture_output=True, text=True)
        assert listed.returncode == 0 and dag_id not in listed.stdout
        with pytest.raises(urllib.error.HTTPError) as gone:
            action(portal, "package_show", id=name)
        assert gone.value.code == 404
        assert not any(upload.exists() for upload in uploads)
        assert _datastore_tables(tables) == []
    finally:
        target.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # only when the test failed before the removal
            write(portal, "package_delete", id=name)
