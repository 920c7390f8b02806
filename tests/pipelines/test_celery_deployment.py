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

import gzip
import http.client
import json
import os
import signal
import ssl
import subprocess
import urllib.error
import urllib.parse
from collections.abc import Iterator

import geopandas as gpd
import psutil
import pytest

from bench import executor_bench
from bench.airflow_cluster import ROOT, AirflowCluster, wait
from bench.pipeline_bench import _serve
from replica.run import free_port
from tests.pipelines.test_restarts import assert_whole
from tests.support.portal import dataset_exists, public

DATABASE = "airflow_celery_test"
BROKER_DB = 13  # Redis database of this test's Celery broker (the demo's is 12, CKAN's 0-11)
# The harvest of the spread test runs extract and publish on worker-1, transform and announce on
# worker-2: each task reads what the one before wrote on the other worker.
POLICY = '''
"""Cluster policy of the Celery test: the tasks of harvest_verteilt_* alternate between the workers."""
ROUTES = {"extract": "worker-1", "transform": "worker-2", "publish": "worker-1", "announce": "worker-2"}


def task_policy(task):
    if task.dag_id.startswith("harvest_verteilt_"):
        task.queue = ROUTES[task.task_id]
'''


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, portal, replicas) -> Iterator[tuple[AirflowCluster, tuple[str, str]]]:
    """The running Airflow with 2 Celery workers, and the DAG id and dataset of the spread harvest,
    whose source is there from the start (its first run begins as soon as the workers are up)."""
    home = tmp_path_factory.mktemp("celery-airflow")
    (home / "config").mkdir()
    (home / "config" / "airflow_local_settings.py").write_text(POLICY, encoding="utf-8")
    # a task whose worker vanished is noticed after 30 s without heartbeat (default 300 s)
    settings = {"AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",
                "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2"}  # fmt: skip
    cluster = AirflowCluster(home, portal, database=DATABASE, broker_db=BROKER_DB, workers=2, settings=settings)
    spread = cluster.add_copy("schulen", "verteilt", replicas)
    with cluster:
        yield cluster, spread


def _rows(portal: dict[str, str], resource: dict) -> int:
    return public(portal).action.datastore_search(resource_id=resource["id"], limit=0)["total"]


def test_a_harvest_spread_over_both_workers_hands_its_data_over_through_the_store(deployment, portal):
    airflow, (dag_id, name) = deployment
    (run,) = wait(lambda: airflow.ended(dag_id, 1), 300, f"the first run of {dag_id} ended", 2)
    tasks = airflow.tasks(dag_id, run["dag_run_id"])
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
    (folder,) = (airflow.store / dag_id).iterdir()
    stored = sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())
    assert stored == ["files/data-25833.geojson", "files/data.csv", "files/data.geojson", "raw.parquet",
                      "records.json"]  # fmt: skip
    raw = gpd.read_parquet(folder / "raw.parquet")
    assert len(raw) == 139 and raw.crs is not None
    assert len(json.loads((folder / "records.json").read_text(encoding="utf-8"))) == 139
    # each worker kept the tasks' temporary files in its own folder (TMPDIR) and left none there
    for n in (1, 2):
        left = (airflow.home / "workers" / f"worker-{n}").glob("chemnitz-*")
        assert list(left) == []


def test_the_proxy_serves_the_portal_and_airflow_as_in_production(deployment, portal, tmp_path):
    airflow, _ = deployment
    http_port, https_port = free_port(), free_port()
    settings = {
        **os.environ,
        "PROXY_DIR": str(tmp_path / "proxy"),
        "PROXY_HTTP_PORT": str(http_port),
        "PROXY_HTTPS_PORT": str(https_port),
        "PROXY_CKAN_PORT": str(urllib.parse.urlsplit(portal["CKAN_URL"]).port),
        "PROXY_AIRFLOW_PORT": str(airflow.port),
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
        # one header: a year for a bundle named by its content's hash, a week for a file under a fixed name
        assert again.headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
        logo, _ = get("/chemnitz/stadtmarke.svg")
        assert logo.status == 200 and logo.headers.get_all("Cache-Control") == ["public, max-age=604800"]
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


def test_the_executor_benchmark_measures_on_this_airflow(deployment, replicas, tmp_path):
    """`make bench`'s executors part (bench/executor_bench.py) at smoke size, on this running Airflow
    rather than on one of its own: a 200-feature layer alone, then a round of one source."""
    airflow, _ = deployment
    result = executor_bench.measure(airflow, _serve(tmp_path, 200), 200, ["stadtteile"], replicas)
    assert result["runs"] == 1 and result["layer"] > 0 and result["round"] > 0, result
    table = executor_bench._markdown([{"executor": "CeleryExecutor", "workers": 2, **result}], 200)
    assert f"| CeleryExecutor, 2 workers | 4 | {result['layer']:.0f} | {result['round']:.0f} | 1 |" in table, table


def test_a_worker_killed_while_publishing_loses_nothing(deployment, portal, replicas):
    airflow, _ = deployment
    dag_id, name = airflow.add_copy("schulen", "verlust", replicas)
    # the run starts by itself; as soon as its publish task has created the dataset, the worker
    # running it is killed with everything it started, as when its machine is lost
    wait(lambda: dataset_exists(portal, name), 300, f"{dag_id} created its dataset", 0.1)
    (run,) = airflow.runs(dag_id)
    publish = airflow.tasks(dag_id, run["dag_run_id"])["publish"]
    assert publish["state"] == "running", publish
    killed = _worker_of(airflow, publish["pid"])
    worker = psutil.Process(airflow.worker_pid(killed))
    for process in [worker, *worker.children(recursive=True)]:  # the task runs in a process group of its own
        process.send_signal(signal.SIGKILL)

    (run,) = wait(lambda: airflow.ended(dag_id, 1), 300, f"the run of {dag_id} ended", 2)
    assert run["state"] == "success", airflow.tasks(dag_id, run["dag_run_id"])
    tries = airflow.tries(dag_id, run["dag_run_id"], "publish")
    assert [t["state"] for t in tries] == ["failed", "success"], tries
    assert psutil.pid_exists(airflow.worker_pid(3 - killed))  # the retry ran on the other one
    assert not psutil.pid_exists(airflow.worker_pid(killed))

    dataset = assert_whole(portal, name)  # every file once, each with its checksum
    files = {r["harvest_key"]: r for r in dataset["resources"] if r.get("harvest_key")}
    assert {"csv", "geojson", "geojson-25833", "harvest-log"} <= set(files)
    assert _rows(portal, files["csv"]) == 139  # the table whole, every school once
    assert _rows(portal, files["harvest-log"]) == 1

    airflow.api(f"dags/{dag_id}/dagRuns", {"logical_date": None})
    second = wait(lambda: airflow.ended(dag_id, 2), 300, f"the rerun of {dag_id} ended", 2)[-1]
    assert second["state"] == "success"
    rerun = airflow.tasks(dag_id, second["dag_run_id"])
    assert rerun["announce"]["state"] == "skipped"  # nothing changed: no asset event
    after = assert_whole(portal, name)
    assert after["metadata_modified"] == dataset["metadata_modified"]
    assert [r["id"] for r in after["resources"]] == [r["id"] for r in dataset["resources"]]
    assert _rows(portal, files["csv"]) == 139 and _rows(portal, files["harvest-log"]) == 2


def _worker_of(airflow: AirflowCluster, pid: int) -> int:
    """The number of the worker that started the task process ``pid``."""
    workers = {airflow.worker_pid(n): n for n in (1, 2)}
    ancestors = [process.pid for process in psutil.Process(pid).parents()]
    (worker,) = set(ancestors) & set(workers)
    return workers[worker]
