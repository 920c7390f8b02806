"""Where the tasks of a harvest run hand each other their data: a store every worker reaches.

With the CeleryExecutor the tasks of one run may run on different workers, on different machines:
``transform`` must find what ``extract`` fetched without sharing a local folder with it. So a run's
intermediate data lives in Airflow's object storage (``ObjectStoragePath``, fsspec) under
``<store>/<dag_id>/<run_id>/``, chosen by configuration:

* ``CHEMNITZ_PIPELINE_STORE`` — the store's address. Default: the folder ``CHEMNITZ_PIPELINE_WORK``
  (``file://…``; a volume every worker mounts, as ``pipeline-work`` in docker/compose.yaml). For
  workers on several hosts an S3-compatible bucket, ``s3://<bucket>/<prefix>`` (docs/deployment.md).
* ``CHEMNITZ_PIPELINE_STORE_CONN`` — the Airflow connection with the bucket's endpoint and keys.

The data is stored in portable formats, readable without this code and any Python version:
GeoParquet (Parquet for tables without geometry) for frames, JSON for records, and the files
to publish as they are. A task works in a temporary local folder of its worker (``TMPDIR``) and
copies in or out; XComs carry only small JSON summaries with the stored files' addresses.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
from airflow.sdk import ObjectStoragePath

from pipelines import config

WORK = Path(os.environ.get("CHEMNITZ_PIPELINE_WORK", config.REPOSITORY / "var" / "airflow" / "work"))
STORE = os.environ.get("CHEMNITZ_PIPELINE_STORE") or WORK.as_uri()
STORE_CONNECTION = os.environ.get("CHEMNITZ_PIPELINE_STORE_CONN") or None

StorePath = ObjectStoragePath | Path


def run_folder(dag_id: str, run_id: str) -> ObjectStoragePath:
    """The store's folder of one DAG run (run ids hold ':' and '+', which not every store takes)."""
    safe = run_id.replace(":", "_").replace("+", "_")
    return ObjectStoragePath(STORE, conn_id=STORE_CONNECTION) / dag_id / safe


def location(address: str) -> StorePath:
    """A stored file from the address a task passed on: with a scheme (``file://``, ``s3://``)
    through Airflow's object storage, else a local path (the steps run outside Airflow, e.g. in
    the benchmarks, with a local folder)."""
    if "://" in address:
        return ObjectStoragePath(address, conn_id=STORE_CONNECTION)
    return Path(address)


def write_frame(frame: pd.DataFrame, path: StorePath) -> None:
    """A frame as GeoParquet (with geometry, CRS included) or Parquet: column types survive."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def read_frame(path: StorePath) -> pd.DataFrame:
    """What ``write_frame`` stored: a GeoDataFrame when the file has GeoParquet metadata."""
    data = io.BytesIO(path.read_bytes())
    geographic = b"geo" in (pq.read_schema(data).metadata or {})
    data.seek(0)
    if geographic:
        return gpd.read_parquet(data)  # type: ignore[arg-type]  # geopandas reads file objects; its stubs name paths only
    return pd.read_parquet(data)


def put(local: Path, target: StorePath) -> StorePath:
    """Copy a local file into the store."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with local.open("rb") as source, target.open("wb") as copy:
        shutil.copyfileobj(source, copy)
    return target


def fetch(stored: StorePath, folder: Path) -> Path:
    """Copy a stored file into a local folder (same name)."""
    local = folder / stored.name
    with stored.open("rb") as source, local.open("wb") as copy:
        shutil.copyfileobj(source, copy)
    return local
