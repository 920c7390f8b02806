"""A throw-away Airflow 3 on this machine, run as docker/compose.yaml runs it in containers: API
server under ``/airflow``, scheduler, DAG processor and, with the CeleryExecutor, the Celery workers
of ``scripts/celery-workers.sh`` (Redis broker, results in PostgreSQL); a database of its own and a
folder of source configurations (the DAG bundle), publishing into the test portal.

Used by the Celery tests (tests/pipelines/test_celery_deployment.py) and the executor benchmark
(bench/executor_bench.py); runs in ``.venv/airflow``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
import yaml

from pipelines import config
from pipelines.publish import ckan as publisher
from replica.run import Replicas, free_port
from tests.support.portal import read_env

ROOT = config.REPOSITORY
AIRFLOW = Path(sys.executable).with_name("airflow")
COMPONENTS = ("api-server", "scheduler", "dag-processor")


def _as_superuser(sql: str) -> None:
    """``psql`` as the database superuser through the Unix socket (peer authentication, as scripts/lib.sh)."""
    switch = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]
    subprocess.run([*switch, "psql", "-X", "-q", "-h", "/var/run/postgresql", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                    "-c", sql], check=True, capture_output=True)  # fmt: skip


def wait(condition: Callable[[], Any], seconds: float, what: str, every: float = 1) -> Any:
    """``condition()``'s first true answer, polled every ``every`` seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(every)
    raise AssertionError(f"not within {seconds} s: {what}")


class AirflowCluster:
    """Start with ``with AirflowCluster(…) as cluster:``; sources added before the start get their
    first run as soon as the workers are up, later ones once the DAG processor has seen them."""

    def __init__(self, home: Path, portal: dict[str, str], *, database: str, broker_db: int,
                 executor: str = "CeleryExecutor", workers: int = 2, concurrency: int = 2,
                 settings: dict[str, str] | None = None) -> None:  # fmt: skip
        self.home, self.portal, self.database, self.executor = home, portal, database, executor
        self.workers = workers if executor == "CeleryExecutor" else 0
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/airflow"
        self.sources, self.store = home / "sources", home / "store"
        self.sources.mkdir(parents=True, exist_ok=True)
        self.datasets: list[str] = []  # deleted at the end: the catalogue tests that follow see the demo's only
        self._processes: list[subprocess.Popen] = []
        self._token = ""
        login = f"airflow:{read_env(ROOT / '.env')['AIRFLOW_DB_PASSWORD']}@127.0.0.1:5432/{database}"
        bundles = [{"name": "chemnitz-sources", "classpath": "pipelines.bundle.SourceConfigBundle",
                    "kwargs": {"configs": str(self.sources), "path": str(home / "source-dags")}}]  # fmt: skip
        self.environment = {
            **os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{login}",
            "AIRFLOW__CORE__EXECUTOR": executor,
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:6379/{broker_db}",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{login}",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            # as docker/compose.yaml: Airflow under /airflow, where the proxy forwards it
            "AIRFLOW__API__BASE_URL": self.base,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(24),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "3",
            "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(bundles),
            "AIRFLOW_CELERY_WORKERS": str(self.workers),
            "AIRFLOW_WORKER_CONCURRENCY": str(concurrency),
            "WORKER_PIDS": str(home / "run"),
            "PYTHONPATH": str(ROOT / "dags"),
            "CHEMNITZ_PIPELINE_WORK": str(home / "work"),
            "CHEMNITZ_PIPELINE_STORE": self.store.as_uri(),  # the shared folder: the workers' only common place
            "CHEMNITZ_RETRY_DELAY_SECONDS": "1",
            "CHEMNITZ_HTTP_BACKOFF_SECONDS": "0.1",
            "CHEMNITZ_PORTAL_URL": portal["CKAN_URL"],
            "AIRFLOW_CONN_CKAN": json.dumps(
                {"conn_type": "http", "host": portal["CKAN_URL"], "password": portal["CKAN_API_TOKEN"]}
            ),
            **(settings or {}),
        }
        redis.Redis(port=6379, db=broker_db).flushdb()

    def __enter__(self) -> AirflowCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exception: object) -> None:
        self.stop()

    def start(self) -> None:
        _as_superuser(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
        _as_superuser(f"CREATE DATABASE {self.database} OWNER airflow")
        subprocess.run([AIRFLOW, "db", "migrate"], env=self.environment, check=True, capture_output=True)
        for component in COMPONENTS:
            with (self.home / f"{component}.log").open("wb") as log:
                self._processes.append(subprocess.Popen([AIRFLOW, component], env=self.environment, stdout=log,
                                                        stderr=subprocess.STDOUT, start_new_session=True))  # fmt: skip
        wait(self._healthy, 180, "Airflow's API server, scheduler and DAG processor are healthy", 2)
        if self.workers:  # last: a task they take reports to the API server (a first run waits in the broker)
            started = subprocess.run([str(ROOT / "scripts" / "celery-workers.sh"), "start"], env=self.environment,
                                     capture_output=True, text=True)  # fmt: skip
            if started.returncode != 0:
                raise RuntimeError(f"scripts/celery-workers.sh start failed: {started.stderr}")

    def stop(self) -> None:
        """Everything killed at once (a throw-away Airflow needs no graceful shutdown), datasets deleted."""
        ckan = publisher.connect(self.portal["CKAN_URL"], self.portal["CKAN_API_TOKEN"])
        for name in self.datasets:
            with contextlib.suppress(Exception):
                ckan.action.package_delete(id=name)
        for pid_file in (self.home / "run").glob("airflow-worker-*.pid"):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(pid_file.read_text()), signal.SIGKILL)
        for process in self._processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        self._processes.clear()
        _as_superuser(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/api/v2/monitor/health", timeout=5) as answer:
                health = json.load(answer)
        except OSError:
            return False
        parts = ("metadatabase", "scheduler", "dag_processor")
        return all(health.get(part, {}).get("status") == "healthy" for part in parts)

    def add_source(self, document: dict[str, Any]) -> tuple[str, str]:
        """A source configuration (a parsed YAML document) in the sources folder: its DAG id and dataset name."""
        target = self.sources / f"{document['id']}.yaml"
        target.with_suffix(".part").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        target.with_suffix(".part").rename(target)  # the DAG processor never sees half a file
        self.datasets.append(document["dataset"]["name"])
        return f"harvest_{document['id']}", document["dataset"]["name"]

    def add_copy(self, template: str, prefix: str, replicas: Replicas | None = None) -> tuple[str, str]:
        """The fixture source ``template`` under a new id and dataset name (``prefix`` and a random suffix),
        harvested from ``replicas`` if given (else from the replicas on their configured ports)."""
        suffix = secrets.token_hex(3)
        document = yaml.safe_load((config.SOURCES / f"{template}.yaml").read_text(encoding="utf-8"))
        if replicas:
            endpoints = document["source"]["endpoints"]
            endpoints["replica"] = replicas.serving(endpoints["replica"])
        document["id"] = f"{prefix}_{suffix}"
        document["dataset"] = {**document["dataset"], "name": f"{prefix.replace('_', '-')}-{suffix}"}
        return self.add_source(document)

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

    def runs(self, dag_id: str) -> list[dict]:
        """The DAG's runs, oldest first ([] while the DAG is not parsed yet)."""
        try:
            return self.api(f"dags/{dag_id}/dagRuns?order_by=run_after")["dag_runs"]
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return []
            raise

    def ended(self, dag_id: str, count: int) -> list[dict] | None:
        """The DAG's runs once ``count`` of them have ended."""
        runs = self.runs(dag_id)
        return runs if sum(run["state"] in ("success", "failed") for run in runs) >= count else None

    def tasks(self, dag_id: str, run_id: str) -> dict[str, dict]:
        quoted = urllib.parse.quote(run_id, safe="")
        listed = self.api(f"dags/{dag_id}/dagRuns/{quoted}/taskInstances")["task_instances"]
        return {ti["task_id"]: ti for ti in listed}

    def tries(self, dag_id: str, run_id: str, task_id: str) -> list[dict]:
        quoted = urllib.parse.quote(run_id, safe="")
        return self.api(f"dags/{dag_id}/dagRuns/{quoted}/taskInstances/{task_id}/tries")["task_instances"]

    def worker_pid(self, n: int) -> int:
        return int((self.home / "run" / f"airflow-worker-{n}.pid").read_text())
