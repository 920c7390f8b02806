"""The parking occupancy feed replica: Chemnitz car parks as ParkAPI JSON and DATEX II.

Chemnitz publishes no live occupancy feed yet, and the fixtures hold no car parks (only coach and
camper-van parking). The car parks here are therefore **sample values, marked as such in every
answer**: one per district for the first 20 of the city's real districts (``Stadtteile.geojson``),
placed at a point inside that district's real boundary, with made-up capacities and opening
hours. Occupancy follows a plausible daily curve (quiet at night, busy late morning and afternoon,
busier on Saturdays, quiet on Sundays) plus per-car-park noise; it is a pure function of car park
and 5-minute slot, so the same moment always gives the same numbers (``?at=…`` fixes the moment).

Formats, modelled on the reference files in ``replica/fixtures/reference/parking``:

* ``/parkapi.json`` — ParkAPI v1 (ParkenDD): ``last_updated``, ``lots`` with ``coords``, ``total``,
  ``free``, ``state`` (``open``/``closed``/``nodata``), ``opening_hours``.
* ``/datex2/parkingStatus.xml`` — DATEX II 2.x ``ParkingStatusPublication`` (as DE-MDM-Aachen).
* ``/parkhaeuser.csv`` — the static part (capacity, opening hours, position) for the pipelines.

Scenarios for tests, per request (``?scenario=…``) or armed for the next N requests with
``POST /__replica__/scenario`` (JSON ``{"scenario": …, "times": N}``): ``stale`` (source time 40
minutes old), ``partial`` (every third car park without a count). Errors, time-outs and cut-off
answers come from the fault proxy in front (``replica/faults.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import http.server
import io
import json
import math
import random
import threading
import urllib.parse
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from shapely.geometry import shape

from replica.data import FIXTURES

BERLIN = ZoneInfo("Europe/Berlin")
SLOT = dt.timedelta(minutes=5)
CAR_PARKS = 20
SAMPLE_NOTE = {
    "de": "Beispieldaten der Replik: Lage, Kapazität und Belegung sind nicht echt.",
    "en": "Sample data of the replica: position, capacity and occupancy are not real.",
}
SCENARIOS = {"stale": "source time 40 minutes old", "partial": "every third car park without a count"}
STALE_BY = dt.timedelta(minutes=40)
DATEX = "http://datex2.eu/schema/2/2_0"


@dataclass(frozen=True)
class CarPark:
    id: str
    name: str
    district: str
    lot_type: str
    total: int
    opening_hours: str
    opens: int  # hour of the day; 0 with closes 24 means always open
    closes: int
    lat: float
    lng: float
    peak: float  # hour of the busiest time of day

    def is_open(self, local: dt.datetime) -> bool:
        return self.opens <= local.hour < self.closes and not (local.weekday() == 6 and self.closes < 24)


@cache
def car_parks() -> tuple[CarPark, ...]:
    """The sample car parks: one per district, first 20 districts by number, inside its boundary."""
    features = json.loads((FIXTURES / "Stadtteile.geojson").read_text(encoding="utf-8"))["features"]
    districts = sorted(features, key=lambda f: f["properties"]["STADTTS"])[:CAR_PARKS]
    rng = random.Random(2026)
    parks = []
    for feature in districts:
        name = feature["properties"]["STADTTNAME"]
        point = shape(feature["geometry"]).representative_point()
        lot_type = rng.choice(["Parkhaus", "Tiefgarage", "Parkplatz"])
        always = lot_type != "Parkplatz" and rng.random() < 0.6
        parks.append(
            CarPark(
                id=f"chemnitz-{_slug(name)}",
                name=f"{lot_type} {name} (Beispiel)",
                district=name,
                lot_type=lot_type,
                total=rng.randrange(60, 900, 10),
                opening_hours="Mo-Su 00:00-24:00" if always else "Mo-Sa 07:00-22:00",
                opens=0 if always else 7,
                closes=24 if always else 22,
                lat=round(point.y, 6),
                lng=round(point.x, 6),
                peak=rng.uniform(10.5, 16.5),
            )
        )
    return tuple(parks)


def occupied(park: CarPark, at: dt.datetime) -> int:
    """Occupied spaces of ``park`` in the 5-minute slot of ``at`` (deterministic)."""
    local = _slot(at).astimezone(BERLIN)
    if not park.is_open(local):
        return 0
    hour = local.hour + local.minute / 60
    busy = math.exp(-(((hour - park.peak) / 3.2) ** 2))
    day = {5: 1.15, 6: 0.45}.get(local.weekday(), 1.0)
    digest = hashlib.sha256(f"{park.id}|{_slot(at).isoformat()}".encode()).digest()
    noise = (digest[0] / 255 - 0.5) * 0.12
    share = min(0.99, max(0.0, (0.07 + 0.78 * busy) * day + noise))
    return round(park.total * share)


def parkapi(at: dt.datetime, scenario: str | None = None) -> dict:
    source_time = _slot(at) - (STALE_BY if scenario == "stale" else dt.timedelta())
    lots = []
    for number, park in enumerate(car_parks()):
        local = source_time.astimezone(BERLIN)
        lot = {
            "id": park.id,
            "name": park.name,
            "lot_type": park.lot_type,
            "address": f"{park.district}, Chemnitz",
            "coords": {"lat": park.lat, "lng": park.lng},
            "total": park.total,
            "state": "open" if park.is_open(local) else "closed",
            "opening_hours": park.opening_hours,
            "forecast": False,
            "notes": SAMPLE_NOTE,
        }
        if scenario == "partial" and number % 3 == 0:
            lot["state"] = "nodata"
        else:
            lot["free"] = park.total - occupied(park, source_time)
        lots.append(lot)
    stamp = _iso(source_time)
    return {
        "data_source": "Replik für das Open-Data-Portal Chemnitz (Beispieldaten)",
        "last_downloaded": _iso(at),
        "last_updated": stamp,
        "lots": lots,
    }


def datex2(at: dt.datetime, scenario: str | None = None) -> str:
    """The same moment as DATEX II 2.x ParkingStatusPublication (prefix ``ns2`` as DE-MDM-Aachen)."""
    source_time = _slot(at) - (STALE_BY if scenario == "stale" else dt.timedelta())
    records = []
    for number, park in enumerate(car_parks()):
        local = source_time.astimezone(BERLIN)
        opening = "open" if park.is_open(local) else "closed"
        occupancy = ""
        status = "unknown"
        if not (scenario == "partial" and number % 3 == 0):
            taken = occupied(park, source_time)
            vacant = park.total - taken
            status = "full" if vacant == 0 else "almostFull" if vacant < park.total * 0.1 else "spacesAvailable"
            occupancy = (
                "<ns2:parkingOccupancy>"
                f"<ns2:parkingNumberOfSpacesOverride>{park.total}</ns2:parkingNumberOfSpacesOverride>"
                f"<ns2:parkingNumberOfVacantSpaces>{vacant}</ns2:parkingNumberOfVacantSpaces>"
                f"<ns2:parkingNumberOfOccupiedSpaces>{taken}</ns2:parkingNumberOfOccupiedSpaces>"
                f"<ns2:parkingOccupancy>{100 * taken / park.total:.2f}</ns2:parkingOccupancy>"
                "</ns2:parkingOccupancy>"
            )
        records.append(
            '<ns2:parkingRecordStatus xsi:type="ns2:ParkingSiteStatus">'
            f'<ns2:parkingRecordReference id="{escape(park.id)}" targetClass="ParkingRecord" version="1"/>'
            f"<ns2:parkingStatusOriginTime>{_iso(source_time)}</ns2:parkingStatusOriginTime>"
            f"{occupancy}<ns2:parkingSiteStatus>{status}</ns2:parkingSiteStatus>"
            f"<ns2:parkingSiteOpeningStatus>{opening}</ns2:parkingSiteOpeningStatus>"
            "</ns2:parkingRecordStatus>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ns2:d2LogicalModel xmlns:ns2="{DATEX}" modelBaseVersion="2">'
        "<ns2:exchange><ns2:supplierIdentification><ns2:country>de</ns2:country>"
        "<ns2:nationalIdentifier>DE-CHEMNITZ-REPLIK</ns2:nationalIdentifier></ns2:supplierIdentification></ns2:exchange>"
        '<ns2:payloadPublication xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" lang="de" '
        'xsi:type="ns2:GenericPublication">'
        f"<ns2:publicationTime>{_iso(at)}</ns2:publicationTime>"
        "<ns2:publicationCreator><ns2:country>de</ns2:country>"
        "<ns2:nationalIdentifier>DE-CHEMNITZ-REPLIK</ns2:nationalIdentifier></ns2:publicationCreator>"
        "<ns2:genericPublicationName>ParkingStatusPublication</ns2:genericPublicationName>"
        "<ns2:genericPublicationExtension><ns2:parkingStatusPublication>"
        "<ns2:headerInformation><ns2:confidentiality>noRestriction</ns2:confidentiality>"
        "<ns2:informationStatus>test</ns2:informationStatus></ns2:headerInformation>"
        + "".join(records)
        + "</ns2:parkingStatusPublication></ns2:genericPublicationExtension></ns2:payloadPublication>"
        "</ns2:d2LogicalModel>"
    )


def static_csv() -> str:
    """The car parks' static data (``;``-separated, WGS 84), for the pipelines' static dataset."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["ID", "NAME", "ART", "STADTTEIL", "KAPAZITAET", "OEFFNUNGSZEITEN", "LON", "LAT", "HINWEIS"])
    for park in car_parks():
        writer.writerow([park.id, park.name, park.lot_type, park.district, park.total, park.opening_hours,
                         park.lng, park.lat, SAMPLE_NOTE["de"]])  # fmt: skip
    return out.getvalue()


class ScenarioState:
    """A scenario armed for the next N requests (``times`` -1: until cleared)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scenario: str | None = None
        self._remaining = 0

    def arm(self, scenario: str | None, times: int) -> None:
        if scenario is not None and scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; known: {sorted(SCENARIOS)}")
        with self._lock:
            self._scenario, self._remaining = scenario, times

    def take(self) -> str | None:
        with self._lock:
            scenario = self._scenario
            if scenario and self._remaining > 0:
                self._remaining -= 1
                if self._remaining == 0:
                    self._scenario = None
            return scenario


def server(port: int, clock: type[dt.datetime] = dt.datetime) -> http.server.ThreadingHTTPServer:
    """The feed on ``port`` (loopback)."""
    state = ScenarioState()

    class Feed(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def do_POST(self) -> None:
            if urllib.parse.urlsplit(self.path).path != "/__replica__/scenario":
                return self._send(404, b"not found", "text/plain")
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                state.arm(body.get("scenario"), int(body.get("times", 1)))
            except (ValueError, TypeError) as error:
                return self._send(400, str(error).encode(), "text/plain; charset=utf-8")
            return self._send(204, b"", "text/plain")

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query)
            try:
                at = dt.datetime.fromisoformat(query["at"][0]) if "at" in query else clock.now(dt.timezone.utc)
            except ValueError:
                return self._send(400, b"at: expected an ISO 8601 time with offset", "text/plain")
            if at.tzinfo is None:
                return self._send(400, b"at: expected an ISO 8601 time with offset", "text/plain")
            scenario = query.get("scenario", [None])[0] or state.take()
            if scenario is not None and scenario not in SCENARIOS:
                return self._send(400, f"scenario: one of {sorted(SCENARIOS)}".encode(), "text/plain")
            if url.path == "/parkapi.json":
                body = json.dumps(parkapi(at, scenario), ensure_ascii=False).encode()
                return self._send(200, body, "application/json; charset=utf-8")
            if url.path == "/datex2/parkingStatus.xml":
                return self._send(200, datex2(at, scenario).encode(), "application/xml; charset=utf-8")
            if url.path == "/parkhaeuser.csv":
                return self._send(200, static_csv().encode(), "text/csv; charset=utf-8")
            return self._send(404, b"not found", "text/plain")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return http.server.ThreadingHTTPServer(("127.0.0.1", port), Feed)


def _slot(at: dt.datetime) -> dt.datetime:
    at = at.astimezone(dt.timezone.utc)
    return at - dt.timedelta(minutes=at.minute % 5, seconds=at.second, microseconds=at.microsecond)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _slug(name: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "-", "/": "-", ".": ""})
    return name.lower().translate(table)
