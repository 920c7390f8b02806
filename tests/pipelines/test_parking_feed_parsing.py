"""Occupancy feeds read into readings: real ParkAPI and DATEX II files, the replica, broken input."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipelines.errors import SourceError
from pipelines.parking import feed
from replica import parking
from tests.pipelines.conftest import FIXTURES

REFERENCE = FIXTURES / "reference" / "parking"
NOON = dt.datetime(2026, 11, 25, 11, 0, tzinfo=dt.timezone.utc)


def test_parkapi_v1_of_herrenberg():
    readings = feed.parse_parkapi((REFERENCE / "parkapi_v1_herrenberg.json").read_bytes())
    assert len(readings) == 26
    counted = [r for r in readings if r.free is not None]
    assert len(counted) == 4 and all(r.state == "open" for r in counted)
    assert all(r.state == "nodata" for r in readings if r.free is None)
    assert readings[0].observed_at == dt.datetime(2025, 2, 25, 12, 20, 3, 588839, tzinfo=dt.timezone.utc)
    assert readings[0].lat == pytest.approx(48.596319)


def test_datex2_of_aachen_with_prefix_and_of_stuttgart_with_default_namespace():
    aachen = {r.car_park: r for r in feed.parse_datex2((REFERENCE / "datex2_aachen-realtime.xml").read_bytes())}
    assert len(aachen) == 17
    assert (aachen["P1"].total, aachen["P1"].free, aachen["P1"].state) == (560, 412, "open")
    (bondorf,) = feed.parse_datex2((REFERENCE / "datex2_vrs_bondorf-realtime.xml").read_bytes())
    assert (bondorf.total, bondorf.free) == (313, 215)
    assert bondorf.observed_at == dt.datetime(2025, 5, 9, 19, 41, 58, 546153, tzinfo=dt.timezone.utc)


def test_both_formats_of_the_replica_give_the_same_readings():
    as_json = feed.parse_parkapi(json.dumps(parking.parkapi(NOON)).encode())
    as_xml = feed.parse_datex2(parking.datex2(NOON).encode())
    assert [(r.car_park, r.total, r.free, r.state, r.observed_at) for r in as_json] == [
        (r.car_park, r.total, r.free, r.state, r.observed_at) for r in as_xml
    ]
    assert not any(r.is_stale(NOON) for r in as_json)


def test_stale_and_partial_answers():
    stale = feed.parse_parkapi(json.dumps(parking.parkapi(NOON, "stale")).encode())
    assert all(r.is_stale(NOON) for r in stale)
    partial = feed.parse_datex2(parking.datex2(NOON, "partial").encode())
    assert sum(r.state == "nodata" and r.free is None for r in partial) == 7


def test_impossible_numbers_become_nodata():
    body = {"last_updated": "2026-11-25T11:00:00", "lots": [
        {"id": "a", "total": 100, "free": 120, "state": "open"},
        {"id": "b", "total": 100, "free": -3, "state": "open"},
        {"id": "c", "total": 100, "free": 40, "state": "open"},
    ]}  # fmt: skip
    readings = {r.car_park: r for r in feed.parse_parkapi(json.dumps(body).encode())}
    assert readings["a"].state == readings["b"].state == "nodata" and readings["a"].free is None
    assert readings["c"].free == 40


@pytest.mark.parametrize(
    ("parse", "body", "message"),
    [
        (feed.parse_parkapi, b'{"lots": [', "not a ParkAPI v1 answer"),
        (feed.parse_parkapi, b'{"lots": []}', "not a ParkAPI v1 answer"),
        (feed.parse_parkapi, b'{"last_updated": "2026-11-25T11:00:00", "lots": [{"total": 3}]}', "without id"),
        (feed.parse_datex2, b"<html><body>Wartung</body></html>", "not a DATEX II parking status publication"),
        (feed.parse_datex2, b"<d2LogicalModel", "not XML"),
    ],
)
def test_broken_answers_are_source_errors(parse, body, message):
    with pytest.raises(SourceError, match=message):
        parse(body)
