"""Types travel with the data: every harvested dataset publishes a Frictionless Data Package and a
GDAL ``.csvt`` beside its CSV, and its DataStore table has the same types.

End to end on the test portal: each dataset's CSV, ``datapackage.json`` and ``.csvt`` are downloaded
as a user would; frictionless validates the CSV against the package (0 errors) and reads it with
its types, GDAL reads it with the ``.csvt`` beside it, and pandas without either shows what is at
stake (postcodes lose their leading zero). The DataStore answers timestamps with their offset; a
table from before (``timestamp`` columns) is rebuilt by the next run without losing a row.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import urllib.request
from pathlib import Path

import ckanapi
import frictionless
import pandas as pd
import pyogrio
import pytest

from pipelines import config
from pipelines.publish import ckan as publisher
from tests.pipelines.conftest import run
from tests.support.portal import as_pipelines, public

SOURCES = {path.stem: config.load(path) for path in config.all_paths()}
WITH_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# Codes with leading zeros, by dataset: they must stay text everywhere.
CODES = {"schulen": "plz", "kindertageseinrichtungen": "plz", "stadtteile": "stadtteil"}


def column_types(portal: dict[str, str], table: str) -> dict[str, str]:
    """The DataStore table's columns and their types, as a third party reads them."""
    return {field["id"]: field["type"] for field in public(portal).action.datastore_search(resource_id=table)["fields"]}


def resources(portal: dict[str, str], name: str) -> dict[str, dict]:
    dataset = public(portal).action.package_show(id=name)
    return {r["harvest_key"]: r for r in dataset["resources"] if r.get("harvest_key")}


@pytest.fixture(scope="module")
def harvested(airflow, portal) -> dict[str, dict[str, dict]]:
    """Each source's resources by ``harvest_key``; harvested now if not yet published with its data package."""
    published = {}
    for name, source in SOURCES.items():
        try:
            keyed = resources(portal, source.dataset["name"])
        except ckanapi.NotFound:
            keyed = {}
        if "datapackage" not in keyed:
            succeeded, output = run(airflow, source.dag_id)
            assert succeeded, output[-3000:]
            keyed = resources(portal, source.dataset["name"])
        published[name] = keyed
    return published


def download(url: str, path: Path) -> Path:
    with urllib.request.urlopen(url, timeout=60) as answer:
        path.write_bytes(answer.read())
    return path


@pytest.fixture
def downloaded(harvested, tmp_path):
    """``downloaded(name)``: the dataset's CSV, .csvt and datapackage.json in one folder, named as in the portal."""

    def fetch(name: str) -> dict[str, Path]:
        keyed = harvested[name]
        folder = tmp_path / name
        folder.mkdir()
        files = {}
        for key in ("csv", "csvt", "datapackage"):
            url = keyed[key]["url"]
            files[key] = download(url, folder / url.rsplit("/", 1)[1])
        return files

    return fetch


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_csv_is_described_by_a_data_package_and_a_csvt_with_german_names(harvested, downloaded, name):
    source, keyed = SOURCES[name], harvested[name]
    files = downloaded(name)
    assert (files["csv"].name, files["csvt"].name, files["datapackage"].name) == (
        "data.csv", "data.csvt", "datapackage.json"
    )  # GDAL finds data.csvt beside data.csv as they are downloaded  # fmt: skip
    assert "Frictionless" in keyed["datapackage"]["name"] and "Table Schema" in keyed["datapackage"]["description"]
    assert "GDAL" in keyed["csvt"]["name"] and "neben der CSV-Datei data.csv" in keyed["csvt"]["description"]
    assert (keyed["datapackage"]["format"], keyed["csvt"]["format"]) == ("JSON", "TXT")

    package = json.loads(files["datapackage"].read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package" and package["name"] == source.dataset["name"]
    (resource,) = package["resources"]
    assert resource["path"] == keyed["csv"]["url"] and resource["path"].startswith(("http://", "https://"))
    schema = resource["schema"]
    header = files["csv"].read_text(encoding="utf-8").splitlines()[0].split(",")
    assert [field["name"] for field in schema["fields"]] == header
    assert schema["primaryKey"] == [source.key]
    titles = {f.name: f.title for f in source.fields}
    for field in schema["fields"]:
        assert field["title"] and field["type"] and field["format"] == "default"
        assert field["title"] == titles.get(field["name"], field["title"])  # the configuration's German title
    for field in source.fields:
        if field.description:
            assert next(f for f in schema["fields"] if f["name"] == field.name)["description"]
    csvt = files["csvt"].read_text(encoding="utf-8").splitlines()
    assert len(csvt) == 1 and len(csvt[0].split(",")) == len(header)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_frictionless_finds_no_error_in_the_published_csv(downloaded, name):
    """The package points to the CSV's address in the portal: this validates the published file."""
    report = frictionless.validate(str(downloaded(name)["datapackage"]))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    assert report.stats["errors"] == 0 and report.tasks[0].stats["rows"] > 0


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_gdal_and_frictionless_read_each_column_with_its_type(downloaded, name):
    source = SOURCES[name]
    files = downloaded(name)
    # GDAL with data.csvt beside data.csv; its own type detection asked for as well: the .csvt wins
    gdal = pyogrio.read_dataframe(files["csv"], read_geometry=False, AUTODETECT_TYPE="YES")
    package = frictionless.Package(str(files["datapackage"]))
    table = package.resources[0].to_pandas().reset_index()
    numbers = [f.name for f in source.fields if f.type in ("integer", "number")]
    numbers += [c for c in gdal.columns if c in ("lon", "lat", "centroid_lon", "centroid_lat")]
    texts = [f.name for f in source.fields if f.type == "string"]
    times = [f.name for f in source.fields if f.type in ("date", "datetime")]
    for frame in (gdal, table):
        for column in numbers:
            assert pd.api.types.is_numeric_dtype(frame[column]), column
        for column in texts:
            assert not pd.api.types.is_numeric_dtype(frame[column]), column
            assert frame[column].dropna().map(type).eq(str).all(), column
        for column in times:
            assert pd.api.types.is_datetime64_any_dtype(frame[column]), column


@pytest.mark.parametrize(("name", "column"), sorted(CODES.items()))
def test_codes_with_leading_zeros_stay_text(harvested, downloaded, portal, name, column):
    files = downloaded(name)
    with files["csv"].open(encoding="utf-8", newline="") as text:
        written = [row[column] or None for row in csv.DictReader(text)]  # the CSV's text
    assert any(code and code.startswith("0") for code in written), f"{name}: no {column} with a leading zero"
    assert pd.api.types.is_numeric_dtype(pd.read_csv(files["csv"])[column])  # without descriptions: 09111 is 9111
    gdal = pyogrio.read_dataframe(files["csv"], read_geometry=False, AUTODETECT_TYPE="YES")[column]
    assert [None if pd.isna(code) else code for code in gdal] == written
    rows = frictionless.Package(str(files["datapackage"])).resources[0].read_rows()
    assert [row[column] for row in rows] == written
    search = public(portal).action.datastore_search(resource_id=harvested[name]["csv"]["id"], limit=1000)
    assert {f["id"]: f["type"] for f in search["fields"]}[column] == "text"
    assert sorted(r[column] for r in search["records"] if r[column]) == sorted(code for code in written if code)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_datastore_has_the_types_german_labels_and_descriptions(harvested, portal, name):
    source = SOURCES[name]
    search = public(portal).action.datastore_search(resource_id=harvested[name]["csv"]["id"], limit=5)
    fields = {f["id"]: f for f in search["fields"] if f["id"] != "_id"}
    for field in source.fields:
        assert fields[field.name]["type"] == publisher.DATASTORE_TYPES[field.type]
        assert fields[field.name]["info"]["label"] == field.title
    for column in set(fields) & {"lon", "lat", "centroid_lon", "centroid_lat"}:
        info = fields[column]["info"]
        assert "WGS 84" in info["label"] and "Grad" in info["notes"], column
    for field in source.fields:
        if field.type == "datetime":
            values = [r[field.name] for r in search["records"] if r[field.name]]
            assert values and all(WITH_OFFSET.match(v) for v in values), values


def test_harvest_log_times_come_with_their_offset(harvested, portal):
    for name in SOURCES:
        log = public(portal).action.datastore_search(resource_id=harvested[name]["harvest-log"]["id"], limit=100)
        assert {f["id"]: f["type"] for f in log["fields"]}["run_at"] == "timestamptz"
        assert log["records"] and all(WITH_OFFSET.match(r["run_at"]) for r in log["records"])


# --- tables from before: timestamp columns ------------------------------------------------------


def all_rows(portal: dict[str, str], resource_id: str) -> list[dict]:
    sql = f'SELECT * FROM "{resource_id}" ORDER BY _id'
    rows = public(portal).action.datastore_search_sql(sql=sql)["records"]
    return [{k: v for k, v in row.items() if k not in ("_id", "_full_text")} for row in rows]


def as_before(portal: dict[str, str], resource_id: str, fields: list[dict], primary_key: list[str], **changed) -> list:
    """Recreate the table as the pipelines made it before: ``timestamp`` columns, times in UTC without
    zone. Returns its rows (``changed`` overrides values of its last row)."""
    rows = all_rows(portal, resource_id)
    old = [dict(f, type="timestamp") if f["type"] == "timestamptz" else f for f in fields]
    zoned = [f["id"] for f in fields if f["type"] == "timestamptz"]
    naive = [{k: _naive_utc(v) if k in zoned else v for k, v in row.items()} for row in rows]
    naive[-1].update(changed)
    writer = as_pipelines(portal).action
    writer.datastore_delete(resource_id=resource_id, force=True)
    writer.datastore_create(resource_id=resource_id, fields=old, primary_key=primary_key, records=naive, force=True)
    types = column_types(portal, resource_id)
    assert all(types[name] == "timestamp" for name in zoned)
    return rows


def _naive_utc(value: str | None) -> str | None:
    return (
        dt.datetime.fromisoformat(value).astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat() if value else None
    )


def _instants(rows: list[dict], key: str, zoned: list[str]) -> dict:
    return {
        row[key]: tuple(dt.datetime.fromisoformat(row[name]) if row[name] else None for name in zoned) for row in rows
    }


def test_tables_with_timestamp_columns_are_rebuilt_by_the_next_run_with_every_row(harvested, airflow, portal):
    """CKAN's datastore_create keeps an existing column's type: the pipeline rebuilds the table."""
    source = SOURCES["schulen"]
    keyed = harvested["schulen"]
    columns = publisher.datastore_columns(source.fields, ["lon", "lat"])
    zoned = [c["id"] for c in columns if c["type"] == "timestamptz"]
    assert zoned == ["erstellt", "bearbeitet"]
    data = as_before(portal, keyed["csv"]["id"], columns, [source.key])
    # the last run as made by older pipeline code: this run does the full work (as after an update)
    log = as_before(portal, keyed["harvest-log"]["id"], publisher.LOG_FIELDS, ["run_id"],
                     fingerprint="von älterem Code", source_version="")  # fmt: skip

    succeeded, output = run(airflow, source.dag_id)
    assert succeeded, output[-3000:]

    after = all_rows(portal, keyed["csv"]["id"])
    assert _instants(after, source.key, zoned) == _instants(data, source.key, zoned)
    logged = _instants(all_rows(portal, keyed["harvest-log"]["id"]), "run_id", ["run_at"])
    before = _instants(log, "run_id", ["run_at"])
    assert len(logged) == len(before) + 1  # every run before, and this one
    assert {run_id: at for run_id, at in logged.items() if run_id in before} == before
    for resource, names in ((keyed["csv"], zoned), (keyed["harvest-log"], ["run_at"])):
        types = column_types(portal, resource["id"])
        assert [types[name] for name in names] == ["timestamptz"] * len(names)


def test_a_rebuild_that_stopped_half_way_is_finished_by_the_next_run(harvested, portal, tmp_path, monkeypatch):
    """The rows were backed up and the table dropped when the run died: the next one restores every row."""
    monkeypatch.setattr(publisher, "BACKUPS", tmp_path)
    monkeypatch.setattr(publisher, "PAGE", 7)  # backup and restore in several pages
    ckan = publisher.connect(portal["CKAN_URL"], portal["CKAN_API_TOKEN"])
    dataset = ckan.action.package_show(id=SOURCES["schulen"].dataset["name"])
    fields = [{"id": "n", "type": "int4"}, {"id": "at", "type": "timestamptz"}]
    old = [{"id": "n", "type": "int4"}, {"id": "at", "type": "timestamp"}]
    rows = [{"n": n, "at": f"2026-11-{1 + n % 28:02d}T0{n % 10}:15:30.{n:06d}"} for n in range(20)]
    table = publisher.datastore_table(ckan, dataset, "test-rebuild", "Umbau-Test", old, ["n"])
    try:
        ckan.action.datastore_upsert(resource_id=table, records=rows, method="insert", force=True)
        backup = tmp_path / f"{table}.jsonl"
        publisher._back_up(ckan, table, {"n": "int4", "at": "timestamp"}, fields, backup)
        ckan.action.datastore_delete(resource_id=table, force=True)  # ... and here the run died

        publisher.keep_types(ckan, table, fields, ["n"])
        assert not backup.exists()
        restored = all_rows(portal, table)
        assert column_types(portal, table)["at"] == "timestamptz"
        assert {r["n"]: dt.datetime.fromisoformat(r["at"]) for r in restored} == {
            r["n"]: dt.datetime.fromisoformat(r["at"]).replace(tzinfo=dt.timezone.utc) for r in rows
        }  # every row, to the microsecond, as the UTC it was
    finally:
        ckan.action.resource_delete(id=table)
