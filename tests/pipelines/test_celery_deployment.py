"""The production deployment's processes, run on this machine as docker/compose.yaml runs them in
containers: Airflow 3 with the CeleryExecutor (Redis broker, results in PostgreSQL), API server
under ``/airflow``, scheduler, DAG processor and two Celery workers (scripts/celery-workers.sh),
each worker a process group of its own with its own local folder; the workers share nothing but
the pipeline store. In front of the test portal and that API server, nginx runs docker/proxy's own
template (scripts/proxy.sh).

* a harvest whose tasks are forced onto alternating workers (queues ``worker-1``/``worker-2``, by
  a cluster policy in the test Airflow's ``airflow_local_settings.py``) publishes the dataset: its
  tasks found each other's data in the store, as GeoParquet and JSON;
* a worker killed with SIGKILL in the middle of a publish task: Airflow notices the lost task (no
  heartbeat), retries it on the other worker, the run succeeds, the dataset is whole (every row
  once, every file once and intact), and an immediate rerun changes nothing;
* the proxy: HTTPS with the self-signed certificate, HTTP redirected, the security headers, gzip,
  cached static assets with a week's Cache-Control, ``/airflow/`` reaching Airflow.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import os
import secrets
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import psutil
import pytest
import redis
import yaml

from pipelines import config
from replica.run import free_port
from tests.pipelines.conftest import AIRFLOW, action, write
from tests.pipelines.test_restarts import assert_whole

ROOT = config.REPOSITORY
DATABASE = "airflow_celery_test"
BROKER_DB = 13  # Redis database of this test's Celery broker (the demo's is 12, CKAN's 0-11)
COMPONENTS = ("api-server", "scheduler", "dag-processor")
# The harvest of the spread test runs extract and publish on worker-1, transform and announce on
# worker-2: each task reads what the one before wrote on the other worker.
POLICY = '''
"""Cluster policy of the Celery test: the tasks of harvest_verteilt_* alternate between the workers."""
ROUTES = {"extract": "worker-1", "transform": "worker-2", "publish": "worker-1", "announce": "worker-2"}


def task_policy(task):
    if task.dag_id.startswith("harvest_verteilt_"):
        task.queue = ROUTES[task.task_id]
'''


def _secret(name: str) -> str:
    lines = (ROOT / ".env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)[name]


def _as_superuser(sql: str) -> None:
    switch = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]
    subprocess.run([*switch, "psql", "-X", "-q", "-h", "/var/run/postgresql", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                    "-c", sql], check=True, capture_output=True)  # fmt: skip


class Deployment:
    """The running Airflow: its environment, API, sources folder, store and workers."""

    def __init__(self, home: Path, environment: dict[str, str], port: int) -> None:
        self.home, self.environment, self.port = home, environment, port
        self.base = f"http://127.0.0.1:{port}/airflow"
        self.sources = home / "sources"
        self.store = home / "store"
        self.datasets: list[str] = []  # deleted afterwards: the catalogue tests that follow see the demo's only
        self.spread = ("", "")  # DAG id and dataset of the harvest spread over both workers
        self._token = ""

    def api(self, path: str, body: dict | None = None) -> dict:
        """A call of Airflow's REST API (v2) as an admin."""
        if not self._token:
            with urllib.request.urlopen(f"{self.base}/auth/token", timeout=30) as answer:
                self._token = json.load(answer)["access_token"]
        request = urllib.request.Request(
            f"{self.base}/api/v2/{path}", data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)

    def worker_pid(self, n: int) -> int:
        return int((self.home / "run" / f"airflow-worker-{n}.pid").read_text())

    def add_source(self, template: str, prefix: str) -> tuple[str, str]:
        """A copy of a source configuration under a new id in the sources folder: its DAG id and
        dataset name. The DAG processor finds it and the scheduler starts its first run (@daily, no
        catch-up)."""
        suffix = secrets.token_hex(3)
        document = yaml.safe_load((config.SOURCES / f"{template}.yaml").read_text(encoding="utf-8"))
        document["id"] = f"{prefix}_{suffix}"
        document["dataset"] = {**document["dataset"], "name": f"{prefix}-{suffix}"}
        target = self.sources / f"{document['id']}.yaml"
        target.with_suffix(".part").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        target.with_suffix(".part").rename(target)
        self.datasets.append(document["dataset"]["name"])
        return f"harvest_{document['id']}", document["dataset"]["name"]

    def runs(self, dag_id: str) -> list[dict]:
        try:
            return self.api(f"dags/{dag_id}/dagRuns?order_by=run_after")["dag_runs"]
        except urllib.error.HTTPError as error:  # the DAG is not parsed yet
            if error.code == 404:
                return []
            raise

    def tasks(self, dag_id: str, run_id: str) -> dict[str, dict]:
        quoted = urllib.parse.quote(run_id, safe="")
        listed = self.api(f"dags/{dag_id}/dagRuns/{quoted}/taskInstances")["task_instances"]
        return {ti["task_id"]: ti for ti in listed}

    def tries(self, dag_id: str, run_id: str, task_id: str) -> list[dict]:
        quoted = urllib.parse.quote(run_id, safe="")
        return self.api(f"dags/{dag_id}/dagRuns/{quoted}/taskInstances/{task_id}/tries")["task_instances"]


def _wait(condition: Callable[[], object], seconds: float, what: str, every: float = 1) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(every)
    raise AssertionError(f"not within {seconds} s: {what}")


def _ended(deployment: Deployment, dag_id: str, count: int) -> list[dict] | None:
    runs = deployment.runs(dag_id)
    return runs if sum(run["state"] in ("success", "failed") for run in runs) >= count else None


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, portal, replicas) -> Iterator[Deployment]:
    home = tmp_path_factory.mktemp("celery-airflow")
    (home / "sources").mkdir()
    (home / "config").mkdir()
    (home / "config" / "airflow_local_settings.py").write_text(POLICY, encoding="utf-8")
    _as_superuser(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    _as_superuser(f"CREATE DATABASE {DATABASE} OWNER airflow")
    redis.Redis(port=6379, db=BROKER_DB).flushdb()
    port = free_port()
    database = f"airflow:{_secret('AIRFLOW_DB_PASSWORD')}@127.0.0.1:5432/{DATABASE}"
    bundles = [{"name": "chemnitz-sources", "classpath": "pipelines.bundle.SourceConfigBundle",
                "kwargs": {"configs": str(home / "sources"), "path": str(home / "source-dags")}}]  # fmt: skip
    environment = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{database}",
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:6379/{BROKER_DB}",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{database}",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        # as docker/compose.yaml: Airflow under /airflow, where the proxy forwards it
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}/airflow",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/airflow/execution/",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(24),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "3",
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(bundles),
        # a task whose worker vanished is noticed after 30 s without heartbeat (default 300 s)
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
        "AIRFLOW_CELERY_WORKERS": "2",
        "AIRFLOW_WORKER_CONCURRENCY": "2",
        "WORKER_PIDS": str(home / "run"),
        "PYTHONPATH": str(ROOT / "dags"),
        "CHEMNITZ_PIPELINE_WORK": str(home / "work"),
        "CHEMNITZ_PIPELINE_STORE": (home / "store").as_uri(),  # the shared folder: the workers' only common place
        "CHEMNITZ_RETRY_DELAY_SECONDS": "1",
        "CHEMNITZ_PORTAL_URL": portal["CKAN_URL"],
        "AIRFLOW_CONN_CKAN": json.dumps(
            {"conn_type": "http", "host": portal["CKAN_URL"], "password": portal["CKAN_API_TOKEN"]}
        ),
    }
    subprocess.run([AIRFLOW, "db", "migrate"], env=environment, check=True, capture_output=True)
    running = Deployment(home, environment, port)
    # the spread harvest's source is there from the start: its first run begins as soon as Airflow is up
    running.spread = running.add_source("schulen", "verteilt")
    processes = []
    workers = [str(ROOT / "scripts" / "celery-workers.sh")]
    try:
        for component in COMPONENTS:
            with (home / f"{component}.log").open("wb") as log:
                processes.append(subprocess.Popen([AIRFLOW, component], env=environment, stdout=log,
                                                  stderr=subprocess.STDOUT, start_new_session=True))  # fmt: skip
        _wait(lambda: _healthy(running), 180, "Airflow's API server, scheduler and DAG processor are healthy", 2)
        # the workers last: a task they take reports to the API server, which must be up (its first
        # run is meanwhile waiting in the broker)
        started = subprocess.run([*workers, "start"], env=environment, capture_output=True, text=True)
        assert started.returncode == 0, started.stderr
        yield running
    finally:  # a throw-away Airflow: no graceful shutdown needed
        for name in running.datasets:
            with contextlib.suppress(OSError):
                write(portal, "package_delete", id=name)
        for pid_file in (home / "run").glob("airflow-worker-*.pid"):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(pid_file.read_text()), signal.SIGKILL)
        for process in processes:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        _as_superuser(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def _healthy(deployment: Deployment) -> bool:
    try:
        with urllib.request.urlopen(f"{deployment.base}/api/v2/monitor/health", timeout=5) as answer:
            health = json.load(answer)
    except OSError:
        return False
    return all(
        health.get(part, {}).get("status") == "healthy" for part in ("metadatabase", "scheduler", "dag_processor")
    )


def _rows(portal: dict[str, str], resource: dict) -> int:
    return action(portal, "datastore_search", resource_id=resource["id"], limit=0)["total"]


def test_a_harvest_spread_over_both_workers_hands_its_data_over_through_the_store(deployment, portal):
    dag_id, name = deployment.spread
    (run,) = _wait(lambda: _ended(deployment, dag_id, 1), 300, f"the first run of {dag_id} ended", 2)
    tasks = deployment.tasks(dag_id, run["dag_run_id"])
    assert run["state"] == "success", tasks
    assert {task: ti["queue"] for task, ti in tasks.items()} == {
        "extract": "worker-1", "transform": "worker-2", "publish": "worker-1", "announce": "worker-2",
    }  # fmt: skip
    assert all(ti["state"] == "success" and ti["try_number"] == 1 for ti in tasks.values()), tasks

    dataset = assert_whole(portal, name)
    files = {r["harvest_key"]: r for r in dataset["resources"] if r.get("harvest_key")}
    assert {"csv", "geojson", "geojson-25833", "harvest-log"} <= set(files)
    assert _rows(portal, files["csv"]) == 139  # every school once

    # what the tasks handed over, in portable formats: GeoParquet, JSON and the files themselves
    (folder,) = (deployment.store / dag_id).iterdir()
    stored = sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())
    assert stored == ["files/data-25833.geojson", "files/data.csv", "files/data.geojson", "raw.parquet",
                      "records.json"]  # fmt: skip
    raw = gpd.read_parquet(folder / "raw.parquet")
    assert len(raw) == 139 and raw.crs is not None
    assert len(json.loads((folder / "records.json").read_text(encoding="utf-8"))) == 139
    # each worker kept the tasks' temporary files in its own folder (TMPDIR) and left none there
    for n in (1, 2):
        left = (deployment.home / "workers" / f"worker-{n}").glob("chemnitz-*")
        assert list(left) == []


def test_the_proxy_serves_the_portal_and_airflow_as_in_production(deployment, portal, tmp_path):
    http_port, https_port = free_port(), free_port()
    settings = {
        **os.environ,
        "PROXY_DIR": str(tmp_path / "proxy"),
        "PROXY_HTTP_PORT": str(http_port),
        "PROXY_HTTPS_PORT": str(https_port),
        "PROXY_CKAN_PORT": str(urllib.parse.urlsplit(portal["CKAN_URL"]).port),
        "PROXY_AIRFLOW_PORT": str(deployment.port),
    }
    script = str(ROOT / "scripts" / "proxy.sh")
    started = subprocess.run([script, "start"], env=settings, capture_output=True, text=True)
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        # the certificate is docker/proxy/certificate.sh's, for 127.0.0.1: verified, host name included
        tls = ssl.create_default_context(cafile=str(tmp_path / "proxy" / "certs" / "fullchain.pem"))

        def get(path: str, **headers: str) -> tuple[http.client.HTTPResponse, bytes]:
            connection = http.client.HTTPSConnection("127.0.0.1", https_port, context=tls, timeout=60)
            connection.request("GET", path, headers={"Accept-Language": "de", **headers})
            answer = connection.getresponse()
            return answer, answer.read()

        plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=30)
        plain.request("GET", "/dataset/?q=Schule")
        redirect = plain.getresponse()
        assert redirect.status == 301
        assert redirect.headers["Location"] == "https://127.0.0.1/dataset/?q=Schule"

        home, body = get("/", **{"Accept-Encoding": "gzip"})
        assert home.status == 200
        assert home.headers["Content-Encoding"] == "gzip"
        page = gzip.decompress(body).decode()
        assert 'lang="de"' in page and "Offene Daten Chemnitz" in page
        assert len(body) < len(page.encode()) / 3
        assert home.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"):
            assert home.headers[header], header  # the portal's own, passed through

        stylesheet = next(part.split('"', 1)[0] for part in page.split('href="/webassets/')[1:] if ".css" in part)
        first, css = get(f"/webassets/{stylesheet}", **{"Accept-Encoding": "gzip"})
        again, _ = get(f"/webassets/{stylesheet}", **{"Accept-Encoding": "gzip"})
        assert first.status == again.status == 200 and first.headers["Content-Encoding"] == "gzip"
        assert (first.headers["X-Cache-Status"], again.headers["X-Cache-Status"]) == ("MISS", "HIT")
        assert again.headers.get_all("Cache-Control") == ["public, max-age=604800"]  # one header, a week
        assert again.headers.get("Set-Cookie") is None
        assert gzip.decompress(css)

        health, body = get("/airflow/api/v2/monitor/health")
        assert health.status == 200 and json.loads(body)["metadatabase"]["status"] == "healthy"
        assert health.headers["X-Frame-Options"] == "DENY"
        assert health.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        ui, body = get("/airflow/")
        assert ui.status == 200 and b"<html" in body.lower()
    finally:
        subprocess.run([script, "stop"], env=settings, capture_output=True)


def test_a_worker_killed_while_publishing_loses_nothing(deployment, portal):
    dag_id, name = deployment.add_source("schulen", "verlust")
    # the run starts by itself; as soon as its publish task has created the dataset, the worker
    # running it is killed with everything it started, as when its machine is lost
    _wait(lambda: _dataset_exists(portal, name), 300, f"{dag_id} created its dataset", 0.1)
    (run,) = deployment.runs(dag_id)
    publish = deployment.tasks(dag_id, run["dag_run_id"])["publish"]
    assert publish["state"] == "running", publish
    killed = _worker_of(deployment, publish["pid"])
    worker = psutil.Process(deployment.worker_pid(killed))
    for process in [worker, *worker.children(recursive=True)]:  # the task runs in a process group of its own
        process.send_signal(signal.SIGKILL)

    (run,) = _wait(lambda: _ended(deployment, dag_id, 1), 300, f"the run of {dag_id} ended", 2)
    assert run["state"] == "success", deployment.tasks(dag_id, run["dag_run_id"])
    tries = deployment.tries(dag_id, run["dag_run_id"], "publish")
    assert [t["state"] for t in tries] == ["failed", "success"], tries
    assert psutil.pid_exists(deployment.worker_pid(3 - killed))  # the retry ran on the other one
    assert not psutil.pid_exists(deployment.worker_pid(killed))

    dataset = assert_whole(portal, name)  # every file once, each with its checksum
    files = {r["harvest_key"]: r for r in dataset["resources"] if r.get("harvest_key")}
    assert {"csv", "geojson", "geojson-25833", "harvest-log"} <= set(files)
    assert _rows(portal, files["csv"]) == 139  # the table whole, every school once
    assert _rows(portal, files["harvest-log"]) == 1

    deployment.api(f"dags/{dag_id}/dagRuns", {"logical_date": None})
    second = _wait(lambda: _ended(deployment, dag_id, 2), 300, f"the rerun of {dag_id} ended", 2)[-1]
    assert second["state"] == "success"
    rerun = deployment.tasks(dag_id, second["dag_run_id"])
    assert rerun["announce"]["state"] == "skipped"  # nothing changed: no asset event
    after = assert_whole(portal, name)
    assert after["metadata_modified"] == dataset["metadata_modified"]
    assert [r["id"] for r in after["resources"]] == [r["id"] for r in dataset["resources"]]
    assert _rows(portal, files["csv"]) == 139 and _rows(portal, files["harvest-log"]) == 2


def _dataset_exists(portal: dict[str, str], name: str) -> bool:
    try:
        action(portal, "package_show", id=name)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return False
        raise
    return True


def _worker_of(deployment: Deployment, pid: int) -> int:
    """The number of the worker that started the task process ``pid``."""
    workers = {deployment.worker_pid(n): n for n in (1, 2)}
    ancestors = [process.pid for process in psutil.Process(pid).parents()]
    (worker,) = set(ancestors) & set(workers)
    return workers[worker]
