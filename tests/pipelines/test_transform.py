"""Typing, geometry repair and the published files."""

from __future__ import annotations

import csv
import hashlib
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon

from pipelines.config import Field, SourceConfigError
from pipelines.transform import files, geometry
from pipelines.transform.types import Rejections, convert, normalise
from tests.pipelines.conftest import CHEMNITZ
from tests.security.formula_cells import FORMULA_CELLS, HARMLESS_CELLS


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("09111", "string", "09111"),
        ("Regenbogenbus e. V. ", "string", "Regenbogenbus e. V."),
        ("0371 2786887-10\r\n0176 56721413", "string", "0371 2786887-10\n0176 56721413"),
        ("", "integer", None),
        ("15", "integer", 15),
        ("3,5", "number", 3.5),
        ("1", "boolean", True),
        ("0", "boolean", False),
        ("2023/12/15 10:19:55.478+00", "datetime", "2023-12-15T10:19:55.478Z"),
        ("2023-12-15T10:19:55.478Z", "datetime", "2023-12-15T10:19:55.478Z"),
        (1702635595478, "datetime", "2023-12-15T10:19:55.478Z"),
        ("15.12.2023", "date", "2023-12-15"),
    ],
)
def test_values_from_the_citys_files(value, kind, expected):
    assert convert(value, kind) == expected


@pytest.mark.parametrize(
    ("value", "kind"), [("nach Absprache", "integer"), ("15a", "integer"), ("vielleicht", "boolean")]
)
def test_unreadable_values_are_refused(value, kind):
    with pytest.raises(ValueError):
        convert(value, kind)


def test_rows_with_unreadable_values_are_rejected_and_reported():
    frame = pd.DataFrame({"NUMMER": ["1", "2", "3"], "KAPAZITAET": ["30", "nach Absprache", ""]})
    rejections = Rejections()
    fields = (Field("NUMMER", "nummer", "integer"), Field("KAPAZITAET", "kapazitaet", "integer"))
    typed = normalise(frame, fields, rejections)
    assert typed["nummer"].tolist() == [1, 3]
    assert typed["kapazitaet"].tolist() == [30, None]
    assert rejections.reasons == ["feature 1: KAPAZITAET='nach Absprache' is not a valid integer (could not "
                                  "convert string to float: 'nach Absprache')"]  # fmt: skip


def test_a_configured_field_the_source_lacks_is_a_configuration_error():
    frame = pd.DataFrame({"NUMMER": ["1"], "LAGE": ["Markt"]})
    fields = (Field("NUMMER", "nummer", "integer"), Field("BREITE", "breite", "number"))
    with pytest.raises(
        SourceConfigError, match=r"^fields \['BREITE'\] are not in the source \(it has \['LAGE', 'NUMMER'\]\)$"
    ):
        normalise(frame, fields, Rejections())


def test_invalid_geometries_are_repaired_and_empty_ones_rejected():
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])
    frame = gpd.GeoDataFrame({"id": [1, 2, 3]}, geometry=[Point(12.9, 50.8), bowtie, None], crs="EPSG:4326")
    rejections = Rejections()
    repaired_frame, repaired = geometry.repair(frame, rejections)
    assert repaired == 1
    assert repaired_frame.geometry.is_valid.all()
    assert rejections.reasons == ["feature 2: has no geometry"]


def write_all(frame: gpd.GeoDataFrame, directory, title: str) -> list[files.Output]:
    """The files the transform step writes for ``frame``."""
    return files.write_all(frame, files.tabular(frame), directory, title)


def districts() -> gpd.GeoDataFrame:
    return gpd.read_file(CHEMNITZ / "Stadtteile.geojson")[["STADTTS", "STADTTNAME", "geometry"]]


def test_files_are_byte_for_byte_reproducible(tmp_path):
    first = {o.key: o.sha256 for o in write_all(districts(), tmp_path / "a", "Stadtteile")}
    second = {o.key: o.sha256 for o in write_all(districts().iloc[::-1].iloc[::-1], tmp_path / "b", "Stadtteile")}
    assert first == second
    assert set(first) == {"geojson", "geojson-25833", "csv"}


def test_geojson_in_wgs84_and_in_etrs89_utm33(tmp_path):
    outputs = {o.key: o for o in write_all(districts(), tmp_path, "Stadtteile")}
    web = json.loads(outputs["geojson"].path.read_text(encoding="utf-8"))
    assert "crs" not in web  # RFC 7946: WGS 84 implied
    names = [f["properties"]["STADTTNAME"] for f in web["features"]]
    assert len(names) == 39 and "Kaßberg" in names and "Glösa-Draisdorf" in names
    gis = json.loads(outputs["geojson-25833"].path.read_text(encoding="utf-8"))
    assert gis["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::25833"
    x, y = gis["features"][0]["geometry"]["coordinates"][0][0]
    assert 340_000 < x < 380_000 and 5_620_000 < y < 5_650_000  # Chemnitz in UTM zone 33
    content = outputs["geojson"].path.read_bytes()
    assert outputs["geojson"].sha256 == hashlib.sha256(content).hexdigest()
    assert outputs["geojson"].size == len(content)


def test_csv_neutralises_formulas_and_carries_coordinates(tmp_path):
    frame = gpd.GeoDataFrame(
        {"name": ["=HYPERLINK(\"http://evil\")", "+49 371 488", "Parkhaus"], "n": [1, -2, 3]},
        geometry=[Point(12.92, 50.83)] * 3, crs="EPSG:4326",
    )  # fmt: skip
    (csv_output,) = [o for o in write_all(frame, tmp_path, "Test") if o.key == "csv"]
    lines = csv_output.path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "name,n,lon,lat"
    assert lines[1].startswith('"\'=HYPERLINK(""http://evil"")"')
    assert lines[2].startswith("'+49 371 488,-2,")  # a negative number stays a number
    assert files.records(files.tabular(frame))[0] == {"name": "=HYPERLINK(\"http://evil\")", "n": 1,
                                                       "lon": 12.92, "lat": 50.83}  # fmt: skip


def test_csv_cells_follow_the_portals_formula_rule(tmp_path):
    """The same cells as in the portal's DataStore downloads (tests/security/formula_cells.py)."""
    stored = [cell for cell, _ in FORMULA_CELLS] + HARMLESS_CELLS
    frame = gpd.GeoDataFrame({"name": stored}, geometry=[Point(12.92, 50.83)] * len(stored), crs="EPSG:4326")
    (csv_output,) = [o for o in write_all(frame, tmp_path, "Test") if o.key == "csv"]
    with csv_output.path.open(encoding="utf-8", newline="") as handle:
        cells = [row["name"] for row in csv.DictReader(handle)]
    assert cells == [written for _, written in FORMULA_CELLS] + HARMLESS_CELLS


def test_point_layers_get_the_same_coordinates_as_any_other_layer(tmp_path):
    """Points are reprojected as arrays, other geometries through shapely: the numbers agree."""
    schools = gpd.read_file(CHEMNITZ / "Schulen.geojson")[["BEZEICHNUNG", "geometry"]].to_crs("EPSG:3857")
    expected = schools.to_crs(geometry.WGS84).get_coordinates().to_numpy()
    assert geometry.all_points(schools)
    assert abs(geometry.point_coordinates(schools, geometry.WGS84) - expected).max() < 1e-9
    assert abs(geometry.reproject(schools, geometry.WGS84).get_coordinates().to_numpy() - expected).max() < 1e-9
    assert geometry.bounding_box(schools) == [round(float(v), 7) for v in schools.to_crs(geometry.WGS84).total_bounds]

    mixed = pd.concat([schools, districts().to_crs("EPSG:3857").iloc[:1]], ignore_index=True)
    assert not geometry.all_points(mixed)
    points, others = file_coordinates(schools, tmp_path / "points"), file_coordinates(mixed, tmp_path / "mixed")
    for key, coordinates in points.items():
        assert others[key][: len(schools)] == coordinates
    assert points["geojson"][0] == [round(v, 7) for v in expected[0]]
    assert [f["lon"] for f in files.records(files.tabular(schools))] == [c[0] for c in points["geojson"]]


def file_coordinates(frame: gpd.GeoDataFrame, directory) -> dict[str, list]:
    written = {o.key: o.path for o in write_all(frame, directory, "Test")}
    return {
        key: [f["geometry"]["coordinates"] for f in json.loads(written[key].read_text(encoding="utf-8"))["features"]]
        for key in ("geojson", "geojson-25833")
    }


def test_heights_survive_reprojection_and_features_without_a_crs_are_refused():
    frame = gpd.GeoDataFrame(
        {"id": [1, 2]}, geometry=[Point(1_437_000, 6_590_000, 310.5), Point(1_437_100, 6_590_100)], crs="EPSG:3857"
    )
    assert not geometry.all_points(frame)  # the point with a height goes the geometry way
    moved = geometry.reproject(frame, geometry.WGS84).geometry
    assert moved.iloc[0].has_z and moved.iloc[0].z == 310.5
    assert not moved.iloc[1].has_z
    assert moved.iloc[0].x == pytest.approx(frame.to_crs(geometry.WGS84).geometry.iloc[0].x, abs=1e-12)
    with pytest.raises(ValueError, match="no coordinate reference system"):
        geometry.reproject(frame.set_crs(None, allow_override=True), geometry.WGS84)


def test_rings_follow_rfc_7946_and_areas_get_centroids_in_the_table(tmp_path):
    """Exterior rings counter-clockwise, holes clockwise in both GeoJSON files, whatever the source
    sent; the CSV gives each area's centroid, not a point the table does not have."""
    clockwise = [(12.90, 50.80), (12.90, 50.84), (12.96, 50.84), (12.96, 50.80), (12.90, 50.80)]
    hole = [(12.92, 50.81), (12.94, 50.81), (12.94, 50.83), (12.92, 50.83), (12.92, 50.81)]  # counter-clockwise
    frame = gpd.GeoDataFrame({"name": ["Ring"]}, geometry=[Polygon(clockwise, [hole])], crs="EPSG:4326")
    outputs = {o.key: o for o in write_all(frame, tmp_path, "Test")}
    for key in ("geojson", "geojson-25833"):
        exterior, interior = json.loads(outputs[key].path.read_text(encoding="utf-8"))["features"][0]["geometry"][
            "coordinates"
        ]
        assert shapely.LinearRing(exterior).is_ccw and not shapely.LinearRing(interior).is_ccw
    with outputs["csv"].path.open(encoding="utf-8", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert list(row) == ["name", "centroid_lon", "centroid_lat"]
    assert float(row["centroid_lon"]) == pytest.approx(12.93, abs=1e-4)
    assert float(row["centroid_lat"]) == pytest.approx(50.82, abs=1e-3)
    assert "centroid_lon und centroid_lat" in outputs["csv"].description
