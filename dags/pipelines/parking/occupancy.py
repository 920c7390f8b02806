"""One poll of an occupancy feed published to CKAN: current state, history, GeoJSON.

* **Aktuelle Belegung** — DataStore table, one row per car park (key ``car_park``), replaced in one
  transaction on every poll; ``stale`` says whether the source's time is older than 15 minutes.
* **Belegungsverlauf** — DataStore table of every reading with numbers, key ``car_park`` +
  ``observed_at``: a rerun of the same poll, or a source that did not update, adds nothing twice.
* **Aktuelle Belegung (GeoJSON)** — the current state as a map layer, uploaded only when it changed.

Each answer is kept in the archive (``archive``) before it is published; ``rebuild_history`` puts
every archived reading back into the history table after a loss. Times are ``timestamptz`` (the API
answers with the offset); a table made with ``timestamp`` columns before is rebuilt with every row
at the next poll (``publisher.keep_types``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import zlib
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import ckanapi
import yaml

from pipelines.config import ENDPOINT_OVERRIDE
from pipelines.errors import SourceError
from pipelines.parking import archive
from pipelines.parking.feed import Reading, parse_datex2, parse_parkapi
from pipelines.publish import ckan as publisher
from pipelines.publish import dcat
from pipelines.transform.files import Output
from pipelines.web import session

FEEDS = Path(__file__).resolve().parents[3] / "schemas" / "feeds"
FEED = FEEDS / "parkhaus_belegung.yaml"  # the city's occupancy feed (one today)
PARSERS = {"parkapi": parse_parkapi, "datex2": parse_datex2}
CURRENT, HISTORY, MAP = "occupancy-current", "occupancy-history", "occupancy-geojson"
TABLES = FEEDS / "occupancy_tables.yaml"  # columns and keys of CURRENT and HISTORY


@dataclass(frozen=True)
class FeedConfig:
    path: Path
    id: str
    organization: str
    format: str
    endpoints: dict[str, str]
    dataset: dict[str, Any]
    use: str = "replica"

    @property
    def url(self) -> str:
        use = os.environ.get(ENDPOINT_OVERRIDE) or self.use
        if use not in self.endpoints:
            raise SourceError(f"{self.path}: field 'endpoints.{use}': no {use} endpoint is configured")
        return self.endpoints[use]


def load(path: Path) -> FeedConfig:
    """Read a feed configuration; a missing or wrong field is named with the file."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for field in ("id", "organization", "format", "endpoints", "dataset"):
        if not isinstance(document, dict) or field not in document:
            raise SourceError(f"{path}: field '{field}': required")
    if document["format"] not in PARSERS:
        raise SourceError(f"{path}: field 'format': one of {sorted(PARSERS)}")
    return FeedConfig(path=path, **document)


def poll(config: FeedConfig, polled_at: dt.datetime, archive_root: Path, timeout: float = 30) -> list[Reading]:
    """Fetch, parse and archive the feed's answer; an unusable answer is a ``SourceError``, nothing
    is archived or published."""
    answer = session().get(config.url, timeout=timeout)
    answer.raise_for_status()
    readings = PARSERS[config.format](answer.content)
    if not readings:
        raise SourceError(f"{config.url}: the feed lists no car parks; the published state is left as it is")
    archive.store(archive_root, config.id, config.format, polled_at, answer.content)
    return readings


@dataclass
class PollSummary:
    car_parks: int
    with_numbers: int
    stale: int
    history_rows_added: int
    map: str  # created | updated | unchanged


def publish(config: FeedConfig, readings: list[Reading], now: dt.datetime, ckan_url: str, token: str,
            work: Path) -> dict[str, Any]:  # fmt: skip
    ckan = publisher.connect(ckan_url, token)
    summary = publisher.PublishSummary(dataset=config.dataset["name"])
    dataset = publisher.ensure_dataset(
        ckan, dict(dcat.metadata(config.dataset, None, _bbox(readings), None), owner_org=config.organization), summary
    )
    current = [_current_row(reading, now) for reading in readings]
    current_table = _table(ckan, dataset, CURRENT)
    ckan.action.chemnitz_datastore_load(resource_id=current_table, records=current)
    history_table = _table(ckan, dataset, HISTORY)
    before = publisher.row_count(ckan, history_table) or 0  # the table exists: _table made it
    history = _history_rows(readings)
    if history:
        ckan.action.datastore_upsert(resource_id=history_table, records=history, method="upsert", force=True)
    geojson = work / "aktuelle-belegung.geojson"
    work.mkdir(parents=True, exist_ok=True)
    data = json.dumps(_feature_collection(current), ensure_ascii=False).encode()
    geojson.write_bytes(data)
    output = Output(
        key=MAP, path=geojson, name="Aktuelle Belegung (GeoJSON)",
        description="Aktueller Stand aller Parkhäuser als Karte (WGS 84); veraltete Werte sind gekennzeichnet.",
        format="GeoJSON", mimetype="application/geo+json", sha256=hashlib.sha256(data).hexdigest(), size=len(data),
    )  # fmt: skip
    publisher.ensure_resource(ckan, ckan.action.package_show(id=dataset["id"]), output, summary)
    return asdict(
        PollSummary(
            car_parks=len(readings),
            with_numbers=len(history),
            stale=sum(row["stale"] for row in current),
            history_rows_added=(publisher.row_count(ckan, history_table) or 0) - before,
            map=summary.resources[MAP],
        )
    )


def rebuild_history(config: FeedConfig, archive_root: Path, ckan_url: str, token: str) -> dict[str, Any]:
    """Put every archived reading back into the history table (recreated if it was dropped).

    Upserts by the table's key, so readings still there are left as they are and nothing is stored
    twice; an archived answer that cannot be read any more fails the run after all others are back.
    """
    ckan = publisher.connect(ckan_url, token)
    dataset = ckan.action.package_show(id=config.dataset["name"])
    table = _table(ckan, dataset, HISTORY)
    before = publisher.row_count(ckan, table)
    answers, readings, unreadable = 0, 0, []
    for day in archive.days(archive_root, config.id):
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for answer in day:
            try:
                parsed = PARSERS[answer.format](answer.body())
            except (OSError, EOFError, zlib.error, SourceError) as error:
                unreadable.append(f"{answer.path}: {error}")
                continue
            answers += 1
            rows.update(((row["car_park"], row["observed_at"]), row) for row in _history_rows(parsed))
        if rows:
            ckan.action.datastore_upsert(resource_id=table, records=list(rows.values()), method="upsert", force=True)
        readings += len(rows)
    after = publisher.row_count(ckan, table)
    summary = {"answers": answers, "readings": readings, "rows_before": before, "rows_after": after}
    if unreadable:
        raise SourceError("archived answers that could not be read:\n" + "\n".join(unreadable))
    return summary


def _table(ckan: ckanapi.RemoteCKAN, dataset: dict[str, Any], key: str) -> str:
    """Id of the dataset's table ``key`` as ``TABLES`` describes it, created if missing."""
    table = _table_definitions()[key]
    return publisher.datastore_table(ckan, dataset, key, table["name"], table["fields"], table["primary_key"])


@cache
def _table_definitions() -> dict[str, Any]:
    """``TABLES``, read once per worker process (at the first poll, not when the DAG is parsed)."""
    return yaml.safe_load(TABLES.read_text(encoding="utf-8"))


def _history_rows(readings: list[Reading]) -> list[dict[str, Any]]:
    """The readings with numbers, as rows of the history table."""
    return [
        {"car_park": r.car_park, "observed_at": _iso(r.observed_at), "total": r.total, "free": r.free}
        for r in readings
        if r.free is not None
    ]


def _current_row(reading: Reading, now: dt.datetime) -> dict[str, Any]:
    return {
        "car_park": reading.car_park,
        "name": reading.name,
        "state": reading.state,
        "total": reading.total,
        "free": reading.free,
        "observed_at": _iso(reading.observed_at),
        "stale": reading.is_stale(now),
        "lat": reading.lat,
        "lon": reading.lng,
    }


def _feature_collection(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row["car_park"],
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                "properties": {key: row[key] for key in ("name", "state", "total", "free", "observed_at", "stale")},
            }
            for row in rows
            if row["lat"] is not None and row["lon"] is not None
        ],
    }


def _bbox(readings: list[Reading]) -> list[float] | None:
    points = [(r.lng, r.lat) for r in readings if r.lat is not None and r.lng is not None]
    if not points:
        return None
    xs, ys = zip(*points, strict=True)
    return [min(xs), min(ys), max(xs), max(ys)]


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat()
