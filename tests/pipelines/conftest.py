"""Fixtures of the pipeline tests (run in .venv/airflow)."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
CHEMNITZ = FIXTURES / "chemnitz"
REFERENCE = FIXTURES / "reference"

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


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
