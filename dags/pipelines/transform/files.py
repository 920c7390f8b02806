"""The distributions a pipeline publishes, written byte-for-byte reproducibly.

The same source data always gives the same bytes (fixed feature order, fixed coordinate
precision, no timestamps inside), so a checksum comparison tells whether anything changed and an
unchanged source leads to no new upload.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from pipelines.transform.geometry import ETRS89_UTM33, WGS84, reproject

GEOJSON = "application/geo+json"
UTM33_URN = "urn:ogc:def:crs:EPSG::25833"
# Characters that make spreadsheet programs evaluate a cell as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Output:
    """One file to publish as a CKAN resource."""

    key: str  # stable identity of the resource across runs
    path: Path
    name: str
    description: str
    format: str
    mimetype: str
    sha256: str
    size: int


def write_all(frame: pd.DataFrame | gpd.GeoDataFrame, directory: Path, title: str) -> list[Output]:
    """GeoJSON (WGS 84) and ETRS89/UTM33 GeoJSON for geodata, and CSV for everything."""
    directory.mkdir(parents=True, exist_ok=True)
    outputs = []
    table = frame
    if isinstance(frame, gpd.GeoDataFrame):
        web, gis = reproject(frame, WGS84), reproject(frame, ETRS89_UTM33)
        path = _write_geojson(web, directory / "data.geojson", precision=7, crs_name=None)
        description = "Geodaten in WGS 84 (GeoJSON nach RFC 7946) für Webkarten."
        outputs.append(_output("geojson", path, f"{title} (GeoJSON)", description, "GeoJSON", GEOJSON))
        path = _write_geojson(gis, directory / "data-25833.geojson", precision=2, crs_name=UTM33_URN)
        description = "Geodaten im amtlichen Lagebezugssystem ETRS89 / UTM Zone 33N (EPSG:25833) für GIS."
        name = f"{title} (GeoJSON, ETRS89 / UTM 33N)"
        outputs.append(_output("geojson-25833", path, name, description, "GeoJSON", GEOJSON))
        table = tabular(frame)
    description = "Tabelle (UTF-8, Komma als Trennzeichen); Punktkoordinaten als Längen- und Breitengrad (WGS 84)."
    path = _write_csv(table, directory / "data.csv")
    outputs.append(_output("csv", path, f"{title} (CSV)", description, "CSV", "text/csv"))
    return outputs


def tabular(frame: pd.DataFrame | gpd.GeoDataFrame) -> pd.DataFrame:
    """The table behind the CSV and the DataStore: attributes, plus WGS 84 lon/lat for points."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return frame
    web = reproject(frame, WGS84)
    table = pd.DataFrame(web.drop(columns="geometry"))
    if _all_points(web):
        table["lon"] = [round(p.x, 7) for p in web.geometry]
        table["lat"] = [round(p.y, 7) for p in web.geometry]
    return table


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The table's rows as JSON values (None for nulls), as the DataStore takes them."""
    return [{key: _json_value(value) for key, value in row.items()} for row in table.to_dict(orient="records")]


def _output(key: str, path: Path, name: str, description: str, file_format: str, mimetype: str) -> Output:
    content = path.read_bytes()
    return Output(
        key, path, name, description, file_format, mimetype, hashlib.sha256(content).hexdigest(), len(content)
    )


def _write_geojson(frame: gpd.GeoDataFrame, path: Path, precision: int, crs_name: str | None) -> Path:
    rounded = shapely.set_precision(frame.geometry.to_numpy(), 10**-precision, mode="pointwise")
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    if crs_name:
        collection["crs"] = {"type": "name", "properties": {"name": crs_name}}
    properties = [c for c in frame.columns if c != "geometry"]
    collection["features"] = [
        {
            "type": "Feature",
            "properties": {name: _json_value(row[name]) for name in properties},
            "geometry": json.loads(shapely.to_geojson(geometry)),
        }
        for (_, row), geometry in zip(frame.iterrows(), rounded, strict=True)
    ]
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


def _all_points(frame: gpd.GeoDataFrame) -> bool:
    return bool(len(frame)) and bool((frame.geometry.geom_type == "Point").all())


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(list(frame.columns))
        for row in frame.itertuples(index=False):
            writer.writerow([_csv_value(value) for value in row])
    return path


def _csv_value(value: Any) -> Any:
    value = _json_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # neutralised: shown as text, never run as a formula
    return value


def _json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value
