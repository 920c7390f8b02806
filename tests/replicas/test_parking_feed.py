"""The parking occupancy feed replica: ParkAPI JSON and DATEX II telling the same, over the day."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from shapely.geometry import Point, shape

from replica import parking
from replica.data import FIXTURES

NS = {"d2": parking.DATEX}
WEDNESDAY_NOON = "2026-11-25T12:00:00+01:00"


@pytest.fixture(scope="module")
def feed() -> Iterator[str]:
    server = parking.server(0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def get(url: str, **params: str) -> bytes:
    with urllib.request.urlopen(f"{url}?{urllib.parse.urlencode(params)}", timeout=10) as answer:
        return answer.read()


def lots(feed: str, at: str, **params: str) -> dict[str, dict]:
    return {lot["id"]: lot for lot in json.loads(get(f"{feed}/parkapi.json", at=at, **params))["lots"]}


def test_twenty_sample_car_parks_inside_their_real_districts(feed):
    answer = json.loads(get(f"{feed}/parkapi.json", at=WEDNESDAY_NOON))
    districts = {
        f["properties"]["STADTTNAME"]: shape(f["geometry"])
        for f in json.loads((FIXTURES / "Stadtteile.geojson").read_text(encoding="utf-8"))["features"]
    }
    assert len(answer["lots"]) == 20 and "Beispieldaten" in answer["data_source"]
    for lot in answer["lots"]:
        assert lot["name"].endswith("(Beispiel)") and "Beispieldaten" in lot["notes"]["de"]
        district = lot["address"].removesuffix(", Chemnitz")
        assert districts[district].contains(Point(lot["coords"]["lng"], lot["coords"]["lat"]))
        assert 0 <= lot["free"] <= lot["total"]


def test_the_same_moment_gives_the_same_numbers_and_the_day_has_a_shape(feed):
    assert lots(feed, WEDNESDAY_NOON) == lots(feed, "2026-11-25T12:03:59+01:00")  # same 5-minute slot
    night, noon = lots(feed, "2026-11-25T03:00:00+01:00"), lots(feed, WEDNESDAY_NOON)
    always_open = [key for key, lot in night.items() if lot["state"] == "open"]
    assert always_open, "some car parks are open day and night"
    taken = {key: noon[key]["total"] - noon[key]["free"] for key in always_open}
    assert sum(taken.values()) > 3 * sum(night[k]["total"] - night[k]["free"] for k in always_open)
    assert any(lot["state"] == "closed" for lot in night.values())
    sunday = lots(feed, "2026-11-29T12:00:00+01:00")
    assert sum(lot["total"] - lot["free"] for lot in sunday.values()) < sum(taken.values())


def test_datex2_tells_the_same_as_parkapi(feed):
    root = ET.fromstring(get(f"{feed}/datex2/parkingStatus.xml", at=WEDNESDAY_NOON))
    json_lots = lots(feed, WEDNESDAY_NOON)
    records = root.findall(".//d2:parkingRecordStatus", NS)
    assert len(records) == len(json_lots)
    for record in records:
        lot = json_lots[record.find("d2:parkingRecordReference", NS).get("id")]
        assert int(record.findtext(".//d2:parkingNumberOfVacantSpaces", namespaces=NS)) == lot["free"]
        assert int(record.findtext(".//d2:parkingNumberOfSpacesOverride", namespaces=NS)) == lot["total"]
        assert record.findtext("d2:parkingSiteOpeningStatus", namespaces=NS) == lot["state"]


def test_stale_and_partial_scenarios(feed):
    stale = json.loads(get(f"{feed}/parkapi.json", at=WEDNESDAY_NOON, scenario="stale"))
    updated = dt.datetime.fromisoformat(stale["last_updated"])
    assert dt.datetime.fromisoformat(WEDNESDAY_NOON) - updated == dt.timedelta(minutes=40)
    partial = lots(feed, WEDNESDAY_NOON, scenario="partial")
    missing = [lot for lot in partial.values() if "free" not in lot]
    assert len(missing) == 7 and all(lot["state"] == "nodata" for lot in missing)
    root = ET.fromstring(get(f"{feed}/datex2/parkingStatus.xml", at=WEDNESDAY_NOON, scenario="partial"))
    assert len(root.findall(".//d2:parkingOccupancy/d2:parkingNumberOfVacantSpaces", NS)) == 13


def test_a_scenario_armed_for_the_next_request_only(feed):
    request = urllib.request.Request(
        f"{feed}/__replica__/scenario", data=json.dumps({"scenario": "stale", "times": 1}).encode(), method="POST"
    )
    urllib.request.urlopen(request, timeout=10).close()
    first = json.loads(get(f"{feed}/parkapi.json", at=WEDNESDAY_NOON))["last_updated"]
    second = json.loads(get(f"{feed}/parkapi.json", at=WEDNESDAY_NOON))["last_updated"]
    assert first < second


@pytest.mark.parametrize("params", [{"at": "gestern"}, {"at": "2026-11-25T12:00:00"}, {"scenario": "kaputt"}])
def test_bad_requests_are_refused_with_400(feed, params):
    with pytest.raises(urllib.error.HTTPError) as refused:
        get(f"{feed}/parkapi.json", **params)
    assert refused.value.code == 400


def test_the_static_table_for_the_pipelines(feed):
    rows = get(f"{feed}/parkhaeuser.csv").decode().splitlines()
    assert rows[0].startswith("ID;NAME;ART;STADTTEIL;KAPAZITAET;OEFFNUNGSZEITEN;LON;LAT")
    assert len(rows) == 21
