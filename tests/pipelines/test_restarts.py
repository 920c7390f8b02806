"""A harvest interrupted in the middle of publishing, by a restart of CKAN or an outage of its databases:
whatever the interrupted run leaves is whole (every file the dataset lists downloads with its
checksum, no distribution twice), the portal answers again without help, and the next run
completes the dataset.

Each test publishes a new dataset (a copy of the schools source under another id), so the run
really writes: the dataset, its files, the DataStore table and the harvest log. The interruption
starts as soon as the new dataset exists in the portal (created, its files and table still to come).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import ckanapi
import pytest
import yaml

from pipelines import bundle, config
from tests.pipelines.conftest import run, start
from tests.pipelines.test_harvest import summary
from tests.support.portal import as_pipelines, databases, dataset_exists, public

ROOT = config.REPOSITORY


def _portal_down_and_up() -> None:
    subprocess.run([ROOT / "scripts" / "e2e-portal.sh", "stop"], check=True, capture_output=True)
    time.sleep(3)
    subprocess.run([ROOT / "scripts" / "e2e-portal.sh", "serve"], check=True, capture_output=True)


def _as_superuser(sql: str) -> None:
    """``psql`` as the database superuser through the Unix socket (peer authentication, as scripts/lib.sh)."""
    switch = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]
    subprocess.run([*switch, "psql", "-X", "-q", "-h", "/var/run/postgresql", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                    "-c", sql], check=True, capture_output=True)  # fmt: skip


def _database_outage() -> None:
    """The portal's databases go away as in a restart of their server — every connection dropped,
    new ones refused for 3 s — while the machine's other databases (Airflow's, the demo's) stay up."""
    portal_databases = databases()
    names = ", ".join(f"'{name}'" for name in portal_databases)
    for name in portal_databases:
        _as_superuser(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    try:
        _as_superuser(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN ({names})")
        time.sleep(3)
    finally:
        for name in portal_databases:
            _as_superuser(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


INTERRUPTIONS: dict[str, Callable[[], None]] = {"ckan": _portal_down_and_up, "database": _database_outage}


@pytest.fixture
def new_source(airflow: dict[str, str], portal: dict[str, str], tmp_path: Path) -> Iterator[config.SourceConfig]:
    """The schools source under a new id and dataset name, with its DAG in the test Airflow's folder;
    the dataset is deleted afterwards, so the catalogue tests that follow see the demo's datasets only."""
    suffix = secrets.token_hex(3)
    document = yaml.safe_load((config.SOURCES / "schulen.yaml").read_text(encoding="utf-8"))
    document["id"] = f"neustart_{suffix}"
    document["dataset"]["name"] = f"neustart-{suffix}"
    path = tmp_path / f"{document['id']}.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    stub = Path(airflow["AIRFLOW__CORE__DAGS_FOLDER"]) / f"harvest_{path.stem}.py"
    stub.write_text(bundle.STUB.format(config=str(path)), encoding="utf-8")
    yield config.load(path)
    stub.unlink()
    if dataset_exists(portal, document["dataset"]["name"]):
        as_pipelines(portal).action.package_delete(id=document["dataset"]["name"])


def _wait_for_portal(portal: dict[str, str], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            public(portal).action.status_show()
            return
        except (ckanapi.CKANAPIError, OSError):  # refused, or not answering the API yet
            time.sleep(0.2)
    raise AssertionError(f"{portal['CKAN_URL']} did not answer again within {seconds} s")


def assert_whole(portal: dict[str, str], name: str) -> dict | None:
    """The dataset as published, if it exists: no distribution twice, every stored file intact."""
    try:
        dataset = public(portal).action.package_show(id=name)
    except ckanapi.NotFound:
        return None
    keys = [r["harvest_key"] for r in dataset["resources"] if r.get("harvest_key")]
    assert len(keys) == len(set(keys)), keys
    for resource in dataset["resources"]:
        if resource.get("url_type") == "upload":
            with urllib.request.urlopen(resource["url"], timeout=30) as answer:
                content = answer.read()
            assert hashlib.sha256(content).hexdigest() == resource["hash"], resource["name"]
    return dataset


@pytest.mark.parametrize("interruption", sorted(INTERRUPTIONS))
def test_an_interrupted_publish_leaves_nothing_half_written(airflow, portal, new_source, interruption):
    name = new_source.dataset["name"]
    process = start(airflow, new_source.dag_id)  # a process of its own (a child of the warm runner)
    deadline = time.monotonic() + 600
    while not dataset_exists(portal, name):
        assert process.poll() is None, "the run ended before it created the dataset"
        assert time.monotonic() < deadline, "the dataset was not created within 10 minutes"
        time.sleep(0.1)
    INTERRUPTIONS[interruption]()
    finished, output = process.wait(timeout=900)  # finished: completed on Airflow's retry
    _wait_for_portal(portal)
    interrupted = assert_whole(portal, name)

    succeeded, output = run(airflow, new_source.dag_id)
    assert succeeded, output[-3000:]
    completed = assert_whole(portal, name)
    assert completed is not None
    files = {r["harvest_key"]: r for r in completed["resources"] if r.get("harvest_key")}
    assert {"csv", "geojson", "harvest-log"} <= set(files)
    rows = public(portal).action.datastore_search(resource_id=files["csv"]["id"], limit=0)["total"]
    assert rows == 139  # every school of the fixture, once
    # A run that completed on Airflow's retry leaves nothing to do; one that gave up may leave a
    # repair (e.g. a table without its datastore_active flag), which touches the dataset.
    if finished:
        assert interrupted is not None
        assert interrupted["metadata_modified"] == completed["metadata_modified"], summary(output)
