"""End to end: each source's DAG runs from the replicas into a running CKAN (with ``dag.test()``;
one source of each type also with ``airflow dags test`` itself); a second run changes nothing; a
failing source (HTTP 500, ArcGIS error body, invalid or truncated answer or a document cut in half,
of ArcGIS JSON and of WFS GML alike, no features, ten times its features) fails its own run and
leaves the published dataset as it was.
"""

from __future__ import annotations

import re
import urllib.request

import ckanapi
import pytest

from pipelines import config
from tests.pipelines.conftest import run
from tests.support.portal import public

SUMMARY = re.compile(r"Run summary: (.*?) \[")


def summary(output: str) -> dict[str, str]:
    (line,) = SUMMARY.findall(output)
    return dict(item.split("=") for item in line.split())


def dataset(portal: dict[str, str], name: str) -> dict:
    return public(portal).action.package_show(id=name)


def published(airflow: dict[str, str], portal: dict[str, str], source: config.SourceConfig) -> dict:
    """The source's dataset as published; harvested first when an earlier test has not done so."""
    try:
        return dataset(portal, source.dataset["name"])
    except ckanapi.NotFound:
        pass  # not yet harvested
    succeeded, output = run(airflow, source.dag_id)
    assert succeeded, output[-3000:]
    return dataset(portal, source.dataset["name"])


def _first_of_each_type() -> set[str]:
    """The first source configuration (by file name) of each source type."""
    first: dict[str, str] = {}
    for path in config.all_paths():
        first.setdefault(config.load(path).type, path.stem)
    return set(first.values())


# The first run of one source per type (ArcGIS, WFS, CSV, XLSX) is a true ``airflow dags test``: a
# new Airflow process that finds the DAG in its folder and runs it, as an operator tries a DAG by
# hand. All other runs go through the warm runner (conftest.run: the same dag.test() without the
# command's ~12 s start-up); `make demo` runs every DAG under the scheduler.
AIRFLOW_DAGS_TEST = _first_of_each_type()


HARVESTS = [
    pytest.param(path, True, id=f"{path.stem}-airflow-dags-test")
    if path.stem in AIRFLOW_DAGS_TEST
    else pytest.param(path, False, id=path.stem)
    for path in config.all_paths()
]


@pytest.mark.parametrize(("path", "cli"), HARVESTS)
def test_harvest_twice_the_second_run_changes_nothing(airflow, portal, path, cli):
    source = config.load(path)
    succeeded, output = run(airflow, source.dag_id, cli=cli)
    assert succeeded, output[-3000:]
    first = summary(output)
    assert int(first["fetched"]) > 0 and first["rejected"] == "0"
    published = dataset(portal, source.dataset["name"])
    files = {r["harvest_key"]: r for r in published["resources"] if r.get("harvest_key")}
    assert {"csv", "harvest-log"} <= set(files)
    assert files["csv"]["datastore_active"]

    succeeded, output = run(airflow, source.dag_id)
    assert succeeded, output[-3000:]
    second = summary(output)
    assert second["dataset"] == "unchanged"
    assert second["created"] == second["updated"] == second["rows_upserted"] == "0"
    again = dataset(portal, source.dataset["name"])
    assert again["metadata_modified"] == published["metadata_modified"]


FAILURES = [  # (source configuration, its replica, fault)
    *[("schulen", "arcgis", kind) for kind in ("arcgis_error", "empty", "truncated", "cut")],
    *[("stadtteile", "wfs", kind) for kind in ("truncated", "cut", "invalid")],  # GML
]


@pytest.mark.parametrize(("name", "replica", "kind"), FAILURES, ids=["-".join(f) for f in FAILURES])
def test_a_failing_source_fails_its_run_and_leaves_the_dataset_alone(airflow, portal, fault, name, replica, kind):
    source = config.load(config.SOURCES / f"{name}.yaml")
    before = published(airflow, portal, source)
    fault(replica, kind, times=-1)
    succeeded, output = run(airflow, source.dag_id)
    assert not succeeded
    assert f"Harvest {source.dag_id} failed" in output  # the failure callback's alert
    after = dataset(portal, source.dataset["name"])
    assert after["metadata_modified"] == before["metadata_modified"]
    assert [r["hash"] for r in after["resources"]] == [r["hash"] for r in before["resources"]]


def test_a_source_ten_times_its_size_is_refused_and_a_rerun_repairs(airflow, portal, replicas, fault):
    """A duplicated export is refused like an empty one; once the source is right again, the next
    run succeeds and finds the published dataset as it should be."""
    source = config.load(config.SOURCES / "parkplaetze_reisebus.yaml")
    before = published(airflow, portal, source)
    fault("files", "tenfold", times=-1)
    succeeded, output = run(airflow, source.dag_id)
    assert not succeeded
    assert re.search(r"\d+ features, more than 5 times the \d+ published", output), output[-3000:]
    after = dataset(portal, source.dataset["name"])
    assert after["metadata_modified"] == before["metadata_modified"]
    assert [r["hash"] for r in after["resources"]] == [r["hash"] for r in before["resources"]]

    urllib.request.urlopen(urllib.request.Request(replicas.control("files"), method="DELETE"), timeout=5).close()
    succeeded, output = run(airflow, source.dag_id)
    assert succeeded, output[-3000:]
    assert summary(output)["dataset"] == "unchanged"
    assert dataset(portal, source.dataset["name"])["metadata_modified"] == before["metadata_modified"]
