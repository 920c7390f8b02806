"""Readings of a parking occupancy feed, from ParkAPI v1 JSON or DATEX II 2.x XML.

German cities publish occupancy in one of these two formats (ParkenDD's ParkAPI, and DATEX II on
the Mobilithek); both are read into the same ``Reading`` so the rest of the pipeline does not care
which one a city uses. Values a car park cannot have (free spaces below zero or above capacity)
make that reading "nodata" instead of being published; a body that is not the promised format is a
``SourceError`` and nothing is published.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace

from dateutil.parser import isoparse

from pipelines.errors import SourceError

DATEX = "{http://datex2.eu/schema/2/2_0}"
STALE_AFTER = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Reading:
    car_park: str
    observed_at: dt.datetime  # when the source measured it (UTC)
    state: str  # open | closed | nodata
    total: int | None = None
    free: int | None = None
    name: str | None = None
    lat: float | None = None
    lng: float | None = None

    def is_stale(self, now: dt.datetime) -> bool:
        """Older than 15 minutes: shown as such, never as live."""
        return now - self.observed_at > STALE_AFTER


def parse_parkapi(body: bytes) -> list[Reading]:
    """ParkAPI v1 (``last_updated``, ``lots`` with ``id``, ``total``, ``free``, ``state``)."""
    try:
        document = json.loads(body)
        observed = _utc(document["last_updated"])
        lots = document["lots"]
    except (ValueError, KeyError, TypeError) as error:
        raise SourceError(f"not a ParkAPI v1 answer: {error}") from None
    readings = []
    for lot in lots:
        if not isinstance(lot, dict) or not lot.get("id"):
            raise SourceError(f"ParkAPI lot without id: {str(lot)[:80]}")
        coords = lot.get("coords") or {}
        state = str(lot.get("state") or "nodata")
        state = {"many": "open", "few": "open", "full": "open"}.get(state, state)
        readings.append(
            _checked(
                Reading(
                    car_park=str(lot["id"]),
                    observed_at=observed,
                    state=state if state in ("open", "closed") else "nodata",
                    total=_integer(lot.get("total")),
                    free=_integer(lot.get("free")),
                    name=lot.get("name"),
                    lat=_number(coords.get("lat")),
                    lng=_number(coords.get("lng")),
                )
            )
        )
    return readings


def parse_datex2(body: bytes) -> list[Reading]:
    """DATEX II 2.x parking status (``parkingRecordStatus``; any namespace prefix)."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as error:
        raise SourceError(f"not XML: {error}") from None
    records = root.iter(f"{DATEX}parkingRecordStatus")
    readings = []
    for record in records:
        reference = record.find(f"{DATEX}parkingRecordReference")
        car_park = reference.get("id") if reference is not None else None
        origin = record.findtext(f"{DATEX}parkingStatusOriginTime")
        if not car_park or not origin:
            raise SourceError("DATEX II parkingRecordStatus without reference id or origin time")
        total = _integer(record.findtext(f".//{DATEX}parkingNumberOfSpacesOverride"))
        vacant = _integer(record.findtext(f".//{DATEX}parkingNumberOfVacantSpaces"))
        occupied = _integer(record.findtext(f".//{DATEX}parkingNumberOfOccupiedSpaces"))
        if vacant is None and total is not None and occupied is not None:
            vacant = total - occupied
        opening = record.findtext(f"{DATEX}parkingSiteOpeningStatus")
        state = "closed" if opening == "closed" else "open" if vacant is not None else "nodata"
        try:
            observed = _utc(origin)
        except ValueError as error:
            raise SourceError(f"DATEX II origin time {origin!r}: {error}") from None
        readings.append(_checked(Reading(car_park, observed, state, total, vacant)))
    if not readings and root.find(f".//{DATEX}parkingStatusPublication") is None:
        raise SourceError("not a DATEX II parking status publication")
    return readings


def _checked(reading: Reading) -> Reading:
    """A reading whose numbers cannot be right becomes "nodata" (kept, but without numbers)."""
    if reading.free is None:
        return reading if reading.state == "closed" else replace(reading, state="nodata")
    if reading.free < 0 or (reading.total is not None and reading.free > reading.total):
        return replace(reading, state="nodata", free=None)
    return reading


def _utc(text: str) -> dt.datetime:
    moment = isoparse(text)
    # ParkAPI v1 writes UTC without an offset.
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment.astimezone(dt.timezone.utc)


def _integer(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(float(str(value)))
    except ValueError:
        return None


def _number(value: object) -> float | None:
    try:
        return None if value is None else float(str(value))
    except ValueError:
        return None
