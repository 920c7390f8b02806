"""Data safety of the occupancy history: every feed answer is archived before it is published, and
``parking_history_rebuild`` puts back every reading a damaged or dropped history table lost, none twice.

The history is given several moments by polling the replica at fixed times of a day (its ``?at=``)
through the same functions the DAG calls, into an archive of the test's own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import re
from pathlib import Path

import pytest

from pipelines.parking import archive, occupancy
from tests.pipelines.conftest import run
from tests.pipelines.test_parking_occupancy import poll, tables
from tests.support.portal import as_pipelines, public

MOMENTS = [dt.datetime(2026, 12, 1, hour, minute, tzinfo=dt.timezone.utc) for hour, minute in
           [(6, 0), (6, 5), (7, 30), (12, 0), (16, 45)]]  # fmt: skip


def history(portal: dict[str, str]) -> set[tuple[str, dt.datetime, int, int]]:
    table = tables(portal)["occupancy-history"]
    rows = public(portal).action.datastore_search(resource_id=table, limit=10000)["records"]
    assert len(rows) < 10000
    return {(row["car_park"], dt.datetime.fromisoformat(row["observed_at"]), row["total"], row["free"]) for row in rows}


# The task's log line (time and level before it, the logger after it): its key=number pairs.
SUMMARY = re.compile(r"Rebuild summary: ((?:\w+=\d+ ?)+)")


def rebuild(airflow: dict[str, str]) -> tuple[bool, dict[str, int], str]:
    succeeded, output = run(airflow, "parking_history_rebuild")
    lines = SUMMARY.findall(output)
    summary = {k: int(v) for k, v in (item.split("=") for item in lines[-1].split())} if lines else {}
    return succeeded, summary, output


@dataclasses.dataclass
class Published:
    rows: set[tuple[str, dt.datetime, int, int]]  # the history table, every row from the archive below
    airflow: dict[str, str]  # the test Airflow, with that archive


@pytest.fixture(scope="module")
def published(airflow: dict[str, str], portal: dict[str, str], replicas, tmp_path_factory) -> Published:
    """A history of five moments of a day (20 car parks each), every answer in an archive of its own;
    the table is emptied first, so that what earlier tests published cannot blur the comparison."""
    root = tmp_path_factory.mktemp("archive")
    if table := tables(portal).get("occupancy-history"):
        as_pipelines(portal).action.datastore_delete(resource_id=table, filters={}, force=True)
    feed = occupancy.load(occupancy.FEED)
    for moment in MOMENTS:
        at = dataclasses.replace(feed, endpoints={"replica": f"{feed.url}?at={moment:%Y-%m-%dT%H:%M:%SZ}"})
        readings = occupancy.poll(at, moment, root)
        occupancy.publish(at, readings, moment, portal["CKAN_URL"], portal["CKAN_API_TOKEN"], root / "work")
    rows = history(portal)
    assert {row[1] for row in rows} == set(MOMENTS)  # timestamptz: each time with its offset
    assert len(rows) == 20 * len(MOMENTS)
    return Published(rows, dict(airflow, CHEMNITZ_PIPELINE_ARCHIVE=str(root)))


def test_every_usable_answer_is_archived_before_it_is_published(airflow, fault):
    root = Path(airflow["CHEMNITZ_PIPELINE_ARCHIVE"]) / "parkhaus_belegung"
    kept = set(root.glob("*/*.gz"))
    poll(airflow)
    assert len(set(root.glob("*/*.gz")) - kept) == 1
    (newest,) = set(root.glob("*/*.gz")) - kept
    assert newest.name.endswith(".parkapi.gz")
    assert b'"lots"' in gzip.decompress(newest.read_bytes())

    fault("parking", "truncated", times=-1)
    succeeded, _ = run(airflow, "parking_occupancy")
    assert not succeeded
    assert len(set(root.glob("*/*.gz")) - kept) == 1, "an unusable answer was archived"
    assert not list(root.glob("*/.*.part")), "a half-written archive file was left behind"


def test_lost_rows_come_back_and_an_unreadable_archive_file_fails_the_run(portal, published):
    table = tables(portal)["occupancy-history"]
    car_park = sorted(published.rows)[0][0]
    as_pipelines(portal).action.datastore_delete(resource_id=table, filters={"car_park": car_park}, force=True)
    assert not any(row[0] == car_park for row in history(portal))
    before_the_others = dt.datetime(2026, 11, 30, 23, 55, tzinfo=dt.timezone.utc)
    root = Path(published.airflow["CHEMNITZ_PIPELINE_ARCHIVE"])
    broken = archive.store(root, "parkhaus_belegung", "parkapi", before_the_others, b"<html>Bad Gateway</html>")
    try:
        succeeded, summary, output = rebuild(published.airflow)
    finally:
        broken.unlink()
    assert not succeeded
    assert str(broken) in output, "the run must name the archive file it could not read"
    assert history(portal) == published.rows, "every other reading must be back all the same"
    assert summary == {}  # the summary line is printed by successful runs only

    succeeded, summary, output = rebuild(published.airflow)
    assert succeeded, output[-3000:]
    assert summary["rows_before"] == summary["rows_after"] == summary["readings"] == len(published.rows)


def test_a_dropped_history_table_is_rebuilt_reading_for_reading(airflow, portal, published):
    table = tables(portal)["occupancy-history"]
    as_pipelines(portal).action.datastore_delete(resource_id=table, force=True)  # no filters: the whole table
    assert not public(portal).action.resource_show(id=table)["datastore_active"]

    succeeded, summary, output = rebuild(published.airflow)
    assert succeeded, output[-3000:]
    assert tables(portal)["occupancy-history"] == table, "the same resource, so links and API users keep working"
    assert history(portal) == published.rows
    assert summary == {"answers": 5, "readings": 100, "rows_before": 0, "rows_after": 100}

    # The rebuilt table has its key again: the next poll by the DAG adds its readings once.
    assert poll(airflow)["history_rows_added"] == "20"
    assert poll(airflow)["history_rows_added"] in ("0", "20")  # "20" if a new 5-minute slot began
    rows = public(portal).action.datastore_search(resource_id=table, limit=10000)["records"]
    assert len(rows) == len({(row["car_park"], row["observed_at"]) for row in rows})
