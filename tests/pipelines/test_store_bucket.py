"""The pipeline store in an S3-compatible bucket, for Celery workers on several hosts
(docs/deployment.md, "Pipeline store and Celery workers"), with exactly the settings documented there:
``CHEMNITZ_PIPELINE_STORE=s3://…``, ``CHEMNITZ_PIPELINE_STORE_CONN`` and an ``aws`` Airflow connection
with the bucket's endpoint. The bucket is served by moto's server mode on loopback.

The steps of one harvest run as the tasks of two workers with nothing local in common (each its own
temporary folder): extract on worker 1, transform on worker 2 from what worker 1 stored, then worker 1
reads the records and files as publish does. (Separate processes, as the Celery test runs them, would
add some 15 s of imports per worker; that handing over between processes is the Celery test's.)
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import geopandas as gpd
import pytest
import yaml

from bench.airflow_cluster import wait
from pipelines import config, steps, store
from replica.run import free_port
from tests.pipelines.conftest import CHEMNITZ

BUCKET, PREFIX, REGION = "chemnitz-pipelines", "work", "eu-central-1"
KEYS = {"aws_access_key_id": "pipelines", "aws_secret_access_key": "geheim"}  # moto takes any
DAG_ID, RUN_ID = "harvest_parkplaetze_reisebus", "scheduled__2026-12-03T05:00:00+00:00"
RUN_FOLDER = f"{PREFIX}/{DAG_ID}/scheduled__2026-12-03T05_00_00_00_00"  # ':' and '+' replaced


@pytest.fixture
def bucket(tmp_path, monkeypatch) -> Iterator[Any]:
    """An empty bucket on a local S3-compatible server, and ``pipelines.store`` as it reads the documented
    settings pointing at it from the environment (for this test only); a boto3 client of the bucket."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with (tmp_path / "moto.log").open("wb") as log:
        server = subprocess.Popen([Path(sys.executable).with_name("moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                                  stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        wait(lambda: _answers(endpoint), 30, f"moto's S3 server on {endpoint}", 0.2)
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **KEYS)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        connection = {"conn_type": "aws", "login": KEYS["aws_access_key_id"], "password": KEYS["aws_secret_access_key"],
                      "extra": {"endpoint_url": endpoint, "region_name": REGION}}  # fmt: skip
        monkeypatch.setenv("CHEMNITZ_PIPELINE_STORE", f"s3://{BUCKET}/{PREFIX}")
        monkeypatch.setenv("CHEMNITZ_PIPELINE_STORE_CONN", "pipeline_store")
        monkeypatch.setenv("AIRFLOW_CONN_PIPELINE_STORE", json.dumps(connection))
        importlib.reload(store)
        yield s3
    finally:
        monkeypatch.undo()
        importlib.reload(store)
        server.terminate()
        server.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


def _publish_reads(transformed: dict) -> dict:
    """What the publish task takes from the store: the records, and every file fetched into a local folder."""
    records = json.loads(store.location(transformed["records"]).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="chemnitz-publish-") as local:
        fetched = {
            item["key"]: store.fetch(store.location(item["path"]), Path(local)) for item in transformed["outputs"]
        }
        files = {key: hashlib.sha256(path.read_bytes()).hexdigest() for key, path in fetched.items()}
    return {"records": len(records), "files": files}


def test_workers_that_share_no_folder_hand_a_harvest_over_through_the_bucket(
    bucket, file_server, tmp_path, monkeypatch
):
    s3 = bucket
    document = yaml.safe_load((config.SOURCES / "parkplaetze_reisebus.yaml").read_text(encoding="utf-8"))
    document["source"]["endpoints"] = {"replica": f"{file_server(CHEMNITZ)}/Parkplaetze_Reisebus.csv"}
    source = tmp_path / "parkplaetze_reisebus.yaml"
    source.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    harvest = config.load(source)

    def on_worker(n: int) -> Path:
        """Worker ``n``'s own temporary folder (its TMPDIR) from now on."""
        local = tmp_path / f"worker-{n}"
        local.mkdir(exist_ok=True)
        monkeypatch.setattr(tempfile, "tempdir", str(local))
        return local

    on_worker(1)
    extracted = steps.extract(harvest, store.run_folder(DAG_ID, RUN_ID))
    assert extracted["raw"] == f"s3://pipeline_store@{BUCKET}/{RUN_FOLDER}/raw.parquet"  # Airflow adds the connection
    on_worker(2)
    transformed = steps.transform(harvest, extracted, store.run_folder(DAG_ID, RUN_ID))  # worker 1's frame
    assert transformed["rows"] == 17 and transformed["rejected"] == 0
    on_worker(1)
    published = _publish_reads(transformed)
    assert published == {"records": 17, "files": {item["key"]: item["sha256"] for item in transformed["outputs"]}}
    assert set(published["files"]) == {"csv", "geojson", "geojson-25833"}

    # in the bucket, in portable formats that need none of this code: GeoParquet with its CRS, JSON, the files
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/")["Contents"]
    assert sorted(item["Key"].removeprefix(f"{RUN_FOLDER}/") for item in listed) == [
        "files/data-25833.geojson", "files/data.csv", "files/data.geojson", "raw.parquet", "records.json",
    ]  # fmt: skip

    def stored(name: str) -> bytes:
        return s3.get_object(Bucket=BUCKET, Key=f"{RUN_FOLDER}/{name}")["Body"].read()

    raw = gpd.read_parquet(io.BytesIO(stored("raw.parquet")))
    assert len(raw) == 17 and raw.crs == "EPSG:3857"
    assert raw.loc[raw["NUMMER"] == "14", "KAPAZITAET"].item() == "nach Absprache\t"  # the source's text as it was
    assert len(json.loads(stored("records.json"))) == 17
    # the workers' own folders kept nothing: the bucket was the only place they shared
    assert [path for n in (1, 2) for path in (tmp_path / f"worker-{n}").iterdir()] == []
