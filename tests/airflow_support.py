"""Fixtures for the tests that run in the pipeline environment (loaded by ``tests/conftest.py``).

``replicas``: the department-source replicas on their fixed ports (the source configurations point
there); when a running ``make demo`` already serves them, those are used. ``portal``: the
throw-away CKAN that ``scripts/e2e-portal.sh start`` (run by ``make test``) sets up.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from replica.run import ARCGIS_PATH, DEFAULT_PORTS, Replicas
from replica.run import replicas as run_replicas
from tests.support.portal import public, settings


@pytest.fixture(scope="session")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    running = Replicas(
        arcgis=f"http://127.0.0.1:{DEFAULT_PORTS['arcgis']}{ARCGIS_PATH}",
        wfs=f"http://127.0.0.1:{DEFAULT_PORTS['wfs']}/wfs",
        files=f"http://127.0.0.1:{DEFAULT_PORTS['files']}",
        parking=f"http://127.0.0.1:{DEFAULT_PORTS['parking']}",
        basemaps=f"http://127.0.0.1:{DEFAULT_PORTS['basemaps']}",
    )
    try:
        urllib.request.urlopen(f"{running.files}/Schulen.csv", timeout=2).close()
    except (urllib.error.URLError, OSError):
        with run_replicas(tmp_path_factory.mktemp("replicas"), DEFAULT_PORTS) as started:
            yield started
        return
    yield running


@pytest.fixture
def fault(replicas: Replicas) -> Iterator[object]:
    """``fault("arcgis", "http500", times=2)`` arms a fault of a replica; cleared after the test."""
    armed: list[str] = []

    def arm(replica: str, kind: str, times: int = 1) -> None:
        url = replicas.control(replica)
        body = json.dumps({"fault": kind, "times": times}).encode()
        urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST"), timeout=5).close()
        armed.append(url)

    yield arm
    for url in armed:
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=5).close()


@pytest.fixture(scope="session")
def portal() -> dict[str, str]:
    values = settings()
    public(values).action.status_show()  # it answers
    return values
