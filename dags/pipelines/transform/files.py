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
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from pipelines.transform import geometry
from pipelines.transform.geometry import ETRS89_UTM33, WGS84

GEOJSON = "application/geo+json"
UTM33_URN = "urn:ogc:def:crs:EPSG::25833"
# Columns ``tabular`` adds: WGS 84 coordinates of points, or of the centroids of other geometries.
COORDINATE_COLUMNS = ("lon", "lat", "centroid_lon", "centroid_lat")
# A cell start that spreadsheet programs evaluate as a formula (CSV injection): tab, carriage
# return, or = + - @ | (also full-width) after any spaces; and German Excel splits at ";" as well.
# The same rule as the portal's DataStore downloads (ckanext/chemnitz/security/csv_cells.py).
_FORMULA_START = r"(?:[\t\r]|[ \t\r\n\v\f\u00a0\u3000\ufeff]*[=+@|＝＋－＠｜-])"
_FORMULA_CELL = re.compile(_FORMULA_START)
_FORMULA_AFTER_SEMICOLON = re.compile(f";(?={_FORMULA_START})")


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


def write_all(frame: pd.DataFrame | gpd.GeoDataFrame, table: pd.DataFrame, directory: Path, title: str) -> list[Output]:
    """GeoJSON (WGS 84) and ETRS89/UTM33 GeoJSON for geodata, and CSV of ``table`` (``tabular(frame)``).

    Each file's description says what a user finds in it (coordinate system, axis order,
    precision, where the table's coordinates are); tests hold the files to these promises.
    """
    directory.mkdir(parents=True, exist_ok=True)
    outputs = []
    kind = _geometry_kind(frame)
    if isinstance(frame, gpd.GeoDataFrame):
        path = _write_geojson(frame, WGS84, directory / "data.geojson", precision=7, crs_name=None)
        rings = ", Außenringe gegen den Uhrzeigersinn, Löcher im Uhrzeigersinn" if kind == "areas" else ""
        description = (
            "Geodaten in WGS 84 als GeoJSON nach RFC 7946 (Längen- vor Breitengrad, höchstens 7 Nachkommastellen"
            f"{rings}) für Webkarten."
        )
        outputs.append(file_output("geojson", path, f"{title} (GeoJSON)", description, "GeoJSON", GEOJSON))
        path = _write_geojson(frame, ETRS89_UTM33, directory / "data-25833.geojson", precision=2, crs_name=UTM33_URN)
        description = (
            "Geodaten im amtlichen Lagebezugssystem ETRS89 / UTM Zone 33N (EPSG:25833; Rechts- und Hochwert in "
            "Metern, 2 Nachkommastellen) für GIS. Kein GeoJSON nach RFC 7946, das nur WGS 84 kennt: das "
            f"Koordinatenreferenzsystem steht im Element „crs“ ({UTM33_URN}), das GDAL und QGIS auswerten."
        )
        name = f"{title} (GeoJSON, ETRS89 / UTM 33N)"
        outputs.append(file_output("geojson-25833", path, name, description, "GeoJSON", GEOJSON))
    description = "Tabelle (UTF-8, Komma als Trennzeichen, eine Zeile je Objekt)" + CSV_COORDINATES[kind]
    path = _write_csv(table, directory / "data.csv")
    outputs.append(file_output("csv", path, f"{title} (CSV)", description, "CSV", "text/csv"))
    return outputs


# What the CSV's description says about coordinates, by the kind of geometries (none, points, other).
CSV_COORDINATES = {
    None: " ohne Koordinaten.",
    "points": "; Punktkoordinaten als Längen- und Breitengrad (WGS 84) in den Spalten lon und lat.",
    "areas": (
        "; Lage jeder Geometrie als ihr Schwerpunkt (Zentroid) in Längen- und Breitengrad (WGS 84) in den Spalten "
        "centroid_lon und centroid_lat; die Umrisse stehen in den GeoJSON-Dateien."
    ),
}


def _geometry_kind(frame: pd.DataFrame | gpd.GeoDataFrame) -> str | None:
    if not isinstance(frame, gpd.GeoDataFrame):
        return None
    return "points" if geometry.all_points(frame) else "areas"


def tabular(frame: pd.DataFrame | gpd.GeoDataFrame) -> pd.DataFrame:
    """The table behind the CSV and the DataStore: attributes, plus WGS 84 coordinates.

    Points get their lon/lat; other geometries (district areas) the lon/lat of their centroid,
    named ``centroid_lon``/``centroid_lat`` so that nobody takes them for the geometry.
    """
    if not isinstance(frame, gpd.GeoDataFrame):
        return frame
    table = pd.DataFrame(frame.drop(columns="geometry"))
    if geometry.all_points(frame):
        lon_lat = np.round(geometry.point_coordinates(frame, WGS84), 7)
        table["lon"], table["lat"] = lon_lat[:, 0], lon_lat[:, 1]
    else:
        lon_lat = np.round(geometry.centroid_coordinates(frame, WGS84), 7)
        table["centroid_lon"], table["centroid_lat"] = lon_lat[:, 0], lon_lat[:, 1]
    return table


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The table's rows as JSON values (None for nulls), as the DataStore takes them."""
    return [{str(key): _json_value(value) for key, value in row.items()} for row in table.to_dict(orient="records")]


def file_output(key: str, path: Path, name: str, description: str, file_format: str, mimetype: str) -> Output:
    """A written file as a distribution to publish, with the checksum that decides whether to upload it."""
    content = path.read_bytes()
    return Output(
        key, path, name, description, file_format, mimetype, hashlib.sha256(content).hexdigest(), len(content)
    )


def _write_geojson(frame: gpd.GeoDataFrame, crs: str, path: Path, precision: int, crs_name: str | None) -> Path:
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    if crs_name:
        collection["crs"] = {"type": "name", "properties": {"name": crs_name}}
    properties = frame.drop(columns="geometry").to_dict(orient="records")
    collection["features"] = [
        {
            "type": "Feature",
            "properties": {name: _json_value(value) for name, value in row.items()},
            "geometry": shape,
        }
        for row, shape in zip(properties, _geojson_geometries(frame, crs, precision), strict=True)
    ]
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


def _geojson_geometries(frame: gpd.GeoDataFrame, crs: str, precision: int) -> list[dict[str, Any]]:
    """GeoJSON geometry objects in ``crs``, coordinates rounded to ``precision`` decimals."""
    if geometry.all_points(frame):
        xy = np.round(geometry.point_coordinates(frame, crs), precision).tolist()
        return [{"type": "Point", "coordinates": pair} for pair in xy]
    moved = geometry.reproject(frame, crs).geometry.to_numpy()
    rounded = shapely.set_precision(moved, 10**-precision, mode="pointwise")
    # RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise (oriented after rounding,
    # which could flip a tiny ring)
    oriented = shapely.orient_polygons(rounded, exterior_cw=False)
    return [json.loads(text) for text in shapely.to_geojson(oriented)]


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
    if isinstance(value, str):  # neutralised by an apostrophe: shown as text, never run as a formula
        value = _FORMULA_AFTER_SEMICOLON.sub(";'", value)
        return "'" + value if _FORMULA_CELL.match(value) else value
    return value


def _json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value
