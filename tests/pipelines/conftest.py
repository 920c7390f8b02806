"""Fixtures of the pipeline tests (run in .venv/airflow)."""

from __future__ import annotations

import functools
import http.server
import json
import os
import select
import shutil
import subprocess
import sys
import threading
import time
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
        # shutdown() waits for the loop to look again: every 50 ms, not the default 0.5 s per test
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
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
def airflow(tmp_path_factory, portal, replicas) -> Iterator[dict[str, str]]:
    """Environment of a test Airflow with every DAG of the portal and the test portal as CKAN;
    ``run`` and ``start`` run its DAGs."""
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
        "CHEMNITZ_HTTP_BACKOFF_SECONDS": "0.1",  # a failing source is asked again after 0.2, 0.4, 0.8 s, not 2, 4, 8
        "CHEMNITZ_PORTAL_URL": portal["CKAN_URL"],
        "AIRFLOW_CONN_CKAN": json.dumps(
            {"conn_type": "http", "host": portal["CKAN_URL"], "password": portal["CKAN_API_TOKEN"]}
        ),
    }
    subprocess.run([AIRFLOW, "db", "migrate"], env=environment, check=True, capture_output=True)
    _runner(environment)  # warms up (~8 s) while the first tests prepare
    yield environment
    while _RUNNERS:
        _RUNNERS.popitem()[1].close()


def run(airflow: dict[str, str], dag_id: str, *, cli: bool = False) -> tuple[bool, str]:
    """One run of the DAG: whether it succeeded, and its output (the task logs).

    By default through the warm runner (``dag.test()`` in a forked child, see dag_runner.py), the
    same run as ``airflow dags test`` without its ~12 s start-up. ``cli=True`` runs the command
    itself, as an operator does: the tests keep one such run per kind of source.
    """
    if not cli:
        return start(airflow, dag_id).wait()
    result = subprocess.run([AIRFLOW, "dags", "test", dag_id], env=airflow, capture_output=True, text=True)
    output = result.stdout + result.stderr
    return "state=success" in output and result.returncode == 0, output


def start(airflow: dict[str, str], dag_id: str) -> Run:
    """Start one run of the DAG through the warm runner; ``wait()`` for its end."""
    return _runner(airflow).start(dag_id, airflow)


RUNNER = Path(__file__).with_name("dag_runner.py")
_RUNNERS: dict[tuple[tuple[str, str], ...], _Runner] = {}


def _runner(environment: dict[str, str]) -> _Runner:
    """The warm runner of the Airflow that ``environment`` configures (one per Airflow home and
    settings; the runs of one runner may differ in everything else, e.g. the archive folder)."""
    key = tuple(sorted((name, value) for name, value in environment.items() if name.startswith("AIRFLOW")))
    if key in _RUNNERS and _RUNNERS[key].process.poll() is not None:  # ended (its log said why): a new one
        _RUNNERS.pop(key).close()
    if key not in _RUNNERS:
        _RUNNERS[key] = _Runner(environment)
    return _RUNNERS[key]


class _Runner:
    """A dag_runner.py process: requests on its stdin, answers on a pipe of their own."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.folder = Path(environment["AIRFLOW_HOME"]) / "runs"
        self.folder.mkdir(exist_ok=True)
        self.log = self.folder / "runner.log"
        read, write = os.pipe()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(RUNNER), str(write)], stdin=subprocess.PIPE, stdout=log,
                stderr=subprocess.STDOUT, env=environment, pass_fds=(write,), cwd=config.REPOSITORY, text=True,
            )  # fmt: skip
        os.close(write)
        self.answers = read
        self.buffer = b""
        self.ready = False
        self.runs = 0
        self.current: Run | None = None

    def answer(self, timeout: float | None) -> dict | None:
        """The runner's next answer; None if there is none within ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self.answers], [], [], left)[0]:
                return None
            chunk = os.read(self.answers, 65536)
            if not chunk:
                log = self.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"The DAG runner ended (exit code {self.process.wait()}):\n{log}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def start(self, dag_id: str, environment: dict[str, str]) -> Run:
        if not self.ready:
            assert "ready" in self.answer(None)
            self.ready = True
        if self.current is not None:  # one run at a time: a run a test left behind ends first
            self.current.wait()
        self.runs += 1
        output = self.folder / f"{self.runs:03d}-{dag_id}.log"
        request = {"dag_id": dag_id, "env": environment, "output": str(output)}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        self.current = Run(self, self.answer(None)["pid"], output)
        return self.current

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.answers)


class Run:
    """A run in a child of the warm runner (``pid``), used like a ``subprocess.Popen`` of ``airflow dags test``."""

    def __init__(self, runner: _Runner, pid: int, output: Path) -> None:
        self.runner, self.pid, self.output = runner, pid, output
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """The exit code if the run has ended, else None."""
        if self.returncode is None and (answer := self.runner.answer(0)) is not None:
            self.returncode = answer["returncode"]
        return self.returncode

    def wait(self, timeout: float | None = None) -> tuple[bool, str]:
        """Whether the run succeeded, and its output, once it has ended."""
        if self.returncode is None:
            answer = self.runner.answer(timeout)
            if answer is None:
                raise subprocess.TimeoutExpired(f"dag run {self.output.name}", timeout or 0)
            self.returncode = answer["returncode"]
        return self.returncode == 0, self.output.read_text(errors="replace")
