"""Fixtures of the pipeline tests (run in .venv/airflow)."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipelines import config
from pipelines.bundle import write_stubs
from replica.data import FIXTURES_ROOT as FIXTURES

CHEMNITZ = FIXTURES / "chemnitz"
REFERENCE = FIXTURES / "reference"

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]
AIRFLOW = Path(sys.executable).with_name("airflow")


@pytest.fixture
def _servers() -> Iterator[Callable[[type[http.server.BaseHTTPRequestHandler]], str]]:
    """Start throw-away HTTP servers on loopback with a handler class; shut down after the test."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def launch(handler_class: type[http.server.BaseHTTPRequestHandler]) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield launch
    for server in servers:
        server.shutdown()


@pytest.fixture
def serve(_servers) -> Callable[[Handler], str]:
    """Start a throw-away HTTP server on loopback whose GET requests ``handler`` answers."""

    def start(handler: Handler) -> str:
        class Requests(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                handler(self)

            def log_message(self, *args: object) -> None:
                return None

        return _servers(Requests)

    return start


@pytest.fixture
def file_server(_servers) -> Callable[[Path], str]:
    """Serve the files of a folder (byte for byte) and return the base URL."""
    return lambda folder: _servers(functools.partial(_QuietFiles, directory=str(folder)))


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return None


def respond(
    request: http.server.BaseHTTPRequestHandler,
    body: bytes,
    status: int = 200,
    content_type: str = "application/json",
) -> None:
    request.send_response(status)
    request.send_header("Content-Type", content_type)
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


@pytest.fixture(scope="session")
def airflow(tmp_path_factory, portal, replicas) -> dict[str, str]:
    """Environment for ``airflow dags test`` with every DAG of the portal and the test portal."""
    home = tmp_path_factory.mktemp("airflow")
    dags = home / "dags"
    write_stubs(config.SOURCES, dags)
    for dag_file in (config.REPOSITORY / "dags").glob("*.py"):
        shutil.copy(dag_file, dags)
    environment = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "PYTHONPATH": str(config.REPOSITORY / "dags"),
        "CHEMNITZ_PIPELINE_WORK": str(home / "work"),
        "CHEMNITZ_PIPELINE_ARCHIVE": str(home / "archive"),
        "CHEMNITZ_RETRY_DELAY_SECONDS": "1",  # failing runs retry after 1, 2, 4 s instead of 20, 40, 80 s
        "AIRFLOW_CONN_CKAN": json.dumps(
            {"conn_type": "http", "host": portal["CKAN_URL"], "password": portal["CKAN_API_TOKEN"]}
        ),
    }
    subprocess.run([AIRFLOW, "db", "migrate"], env=environment, check=True, capture_output=True)
    return environment


def run(airflow: dict[str, str], dag_id: str) -> tuple[bool, str]:
    result = subprocess.run([AIRFLOW, "dags", "test", dag_id], env=airflow, capture_output=True, text=True)
    output = result.stdout + result.stderr
    return "state=success" in output and result.returncode == 0, output


def action(portal: dict[str, str], name: str, **params: object) -> dict:
    """A public Action API call (GET), as a third party makes it."""
    query = urllib.parse.urlencode({k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in params.items()})
    with urllib.request.urlopen(f"{portal['CKAN_URL']}/api/3/action/{name}?{query}", timeout=30) as answer:
        return json.load(answer)["result"]


def write(portal: dict[str, str], action: str, **data: object) -> object:
    """An Action API call with the pipelines' token (an editor of the departments, as the DAGs use it)."""
    request = urllib.request.Request(
        f"{portal['CKAN_URL']}/api/3/action/{action}", data=json.dumps(data).encode(),
        headers={"Authorization": portal["CKAN_API_TOKEN"], "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)["result"]
