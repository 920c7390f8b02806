"""End to end: the occupancy DAG polls the replica feed into the test portal's DataStore.

The first poll is a true ``airflow dags test`` (a new Airflow process, as an operator runs it); the
others go through the warm runner (``conftest.run``), the same ``dag.test()`` without its start-up.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.request

import pytest

from pipelines.parking import occupancy
from tests.pipelines.conftest import run
from tests.pipelines.test_types_travel import WITH_OFFSET, all_rows, as_before, column_types
from tests.support.portal import public

SUMMARY = re.compile(r"Occupancy summary: (.*)")


def poll(airflow: dict[str, str], *, cli: bool = False) -> dict[str, str]:
    succeeded, output = run(airflow, "parking_occupancy", cli=cli)
    assert succeeded, output[-3000:]
    (line,) = SUMMARY.findall(output)
    return dict(item.split("=") for item in line.split()[:5])


def tables(portal: dict[str, str]) -> dict[str, str]:
    dataset = public(portal).action.package_show(id="parkhaus-belegung")
    return {r["harvest_key"]: r["id"] for r in dataset["resources"] if r.get("harvest_key")}


def test_current_state_history_and_map_and_no_duplicates_on_reruns(airflow, portal):
    first = poll(airflow, cli=True)
    assert first["car_parks"] == "20" and first["stale"] == "0"
    resources = tables(portal)
    assert {"occupancy-current", "occupancy-history", "occupancy-geojson"} <= set(resources)
    current = public(portal).action.datastore_search(resource_id=resources["occupancy-current"], limit=100)["records"]
    assert len(current) == 20
    assert all(isinstance(row["free"], int) and 0 <= row["free"] <= row["total"] for row in current)
    assert not any(row["stale"] for row in current)

    poll(airflow)
    history = public(portal).action.datastore_search(resource_id=resources["occupancy-history"], limit=1000)["records"]
    pairs = [(row["car_park"], row["observed_at"]) for row in history]
    assert len(pairs) == len(set(pairs)), "a reading was stored twice"
    assert len(pairs) == 20 * len({observed for _, observed in pairs})
    table, car_park = resources["occupancy-history"], current[0]["car_park"]
    sql = f"SELECT count(*) AS readings FROM \"{table}\" WHERE car_park = '{car_park}'"
    readings = public(portal).action.datastore_search_sql(sql=sql)["records"][0]["readings"]
    assert int(readings) == len({observed for _, observed in pairs})
    # times are timestamptz: the API gives each with its offset
    assert all(WITH_OFFSET.match(row["observed_at"]) for row in current + history)


def test_a_history_from_before_timestamptz_keeps_every_reading(airflow, portal):
    """A history table made with ``timestamp`` columns is rebuilt by the next poll, with every reading."""
    poll(airflow)
    table = tables(portal)["occupancy-history"]
    definition = occupancy._table_definitions()[occupancy.HISTORY]
    before = as_before(portal, table, definition["fields"], definition["primary_key"])
    poll(airflow)
    after = all_rows(portal, table)
    readings = {(row["car_park"], dt.datetime.fromisoformat(row["observed_at"])) for row in after}
    assert {(row["car_park"], dt.datetime.fromisoformat(row["observed_at"])) for row in before} <= readings
    assert column_types(portal, table)["observed_at"] == "timestamptz"


def test_a_stale_feed_is_flagged_and_not_shown_as_live(airflow, portal, replicas):
    request = urllib.request.Request(
        f"{replicas.parking}/__replica__/scenario",
        data=json.dumps({"scenario": "stale", "times": 1}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).close()
    assert poll(airflow)["stale"] == "20"
    current = public(portal).action.datastore_search(resource_id=tables(portal)["occupancy-current"], limit=100)
    assert all(row["stale"] for row in current["records"])


@pytest.mark.parametrize("kind", ["http500", "truncated"])
def test_a_failing_feed_fails_the_run_and_keeps_the_published_state(airflow, portal, fault, kind):
    poll(airflow)
    current = tables(portal)["occupancy-current"]
    before = public(portal).action.datastore_search(resource_id=current, limit=100)["records"]
    fault("parking", kind, times=-1)
    succeeded, output = run(airflow, "parking_occupancy")
    assert not succeeded
    assert "Harvest parking_occupancy failed" in output
    assert public(portal).action.datastore_search(resource_id=current, limit=100)["records"] == before
