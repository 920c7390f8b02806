"""Every source attribute is published, the files are what their descriptions promise.

Each source configuration is run through extract (where it can run without the shared replicas:
the file drops from a throw-away file server, the WFS from MapServer on a free port; the ArcGIS
layers are read from their fixture as Koop serves them) and transform, on the city's real data
in ``replica/fixtures``; every written file is then read with GDAL (pyogrio) and compared with
the fixture's attribute set and with the description the portal shows for it.
"""

from __future__ import annotations

import csv
import dataclasses
import decimal
import functools
import http.server
import io
import itertools
import json
import subprocess
import threading
import urllib.parse
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from pipelines import config, steps, store
from pipelines.extract import wfs as extract_wfs
from pipelines.publish import ckan as publisher
from pipelines.transform import files
from replica import data, parking, wfs
from tests.pipelines.conftest import CHEMNITZ, _QuietFiles

SOURCES = {path.stem: path for path in config.all_paths()}
# Chemnitz in WGS 84, lon/lat: the order of a pair is right when it falls inside.
CITY_LON, CITY_LAT = (12.70, 13.10), (50.70, 50.95)
CITY_EASTING, CITY_NORTHING = (330_000, 375_000), (5_615_000, 5_650_000)


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict:
    """Each source's configuration, the attributes of its fixture and the transform's result."""
    work = tmp_path_factory.mktemp("sources")
    served = data.prepare(work / "served")["files"]
    (served / "parkhaeuser.csv").write_text(parking.static_csv(), encoding="utf-8")
    servers = []

    def start(server) -> str:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    files_handler = functools.partial(_QuietFiles, directory=str(served))
    file_base = start(http.server.ThreadingHTTPServer(("127.0.0.1", 0), files_handler))
    wfs_base = start(wfs.server(work / "wfs", 0, "http://127.0.0.1/wfs")) + "/wfs"
    wfs.write_map(work / "wfs", wfs_base)  # its real address, where GDAL fetches the feature type's schema
    results = {}
    try:
        for name, path in SOURCES.items():
            source = config.load(path)
            folder = work / name
            if source.type == "arcgis":
                extracted = _as_koop_serves_it(source, folder)
                attributes = _geojson_attributes(_arcgis_fixture(source))
            else:
                endpoint = (
                    wfs_base.removesuffix("/wfs") + urllib.parse.urlsplit(source.url).path  # the city's or GeoSN's path
                    if source.type == "wfs"
                    else f"{file_base}/{_file_name(source)}"
                )
                source = dataclasses.replace(
                    source, source=dict(source.source, endpoints={"replica": endpoint}, use="replica")
                )
                extracted = steps.extract(source, folder)
                attributes = _fixture_attributes(source, served)
            transformed = steps.transform(source, extracted, folder)
            results[name] = {"config": source, "attributes": attributes, "transformed": transformed}
    finally:
        for server in servers:
            server.shutdown()
    return results


def _file_name(source: config.SourceConfig) -> str:
    return str(config.load(source.path).url).rsplit("/", 1)[1]


def _arcgis_fixture(source: config.SourceConfig) -> Path:
    service = source.url.split("/services/", 1)[1].split("/", 1)[0]
    return CHEMNITZ / data.ARCGIS_LAYERS[service]


def _as_koop_serves_it(source: config.SourceConfig, folder: Path) -> dict:
    """The extract result of an ArcGIS layer: the fixture's features in the requested ``outSR``."""
    frame = gpd.read_file(_arcgis_fixture(source)).to_crs(source.crs)
    store.write_frame(frame, folder / "raw.parquet")
    return {"raw": str(folder / "raw.parquet"), "fetched": len(frame), "url": source.url}


def _geojson_attributes(path: Path) -> set[str]:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return {key for feature in features for key in feature["properties"]}


def _fixture_attributes(source: config.SourceConfig, served: Path) -> set[str]:
    """The attribute names of the file the source serves, without its coordinate columns."""
    if source.type == "wfs":
        layer = source.source["layer"]
        fixture, _kind = data.WFS_LAYERS.get(layer) or data.ALKIS_LAYERS[layer.removeprefix("ave:")]
        return _geojson_attributes(CHEMNITZ / fixture)
    name = _file_name(source)
    if name.endswith(".xlsx"):
        name = data.XLSX_FROM_CSV[name]
    path = data.ZIPPED_CSV.get(name, served / name)  # a zip's one file: the sample it is made of
    text = path.read_text(encoding="utf-8-sig")
    header = next(csv.reader(io.StringIO(text), delimiter=source.source.get("delimiter") or ","))
    return set(header) - set(source.geometry.values())


def published_columns(source: config.SourceConfig) -> set[str]:
    return {f.name for f in source.fields}


def outputs(result: dict) -> dict[str, files.Output]:
    return {
        item["key"]: files.Output(**dict(item, path=Path(item["path"]))) for item in result["transformed"]["outputs"]
    }


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_source_attribute_is_published_or_withheld_with_a_reason(sources, name):
    result = sources[name]
    source = result["config"]
    withheld = {w.source for w in source.withheld}
    assert result["attributes"] == {f.source for f in source.fields} | withheld
    assert all(len(w.reason) >= 10 for w in source.withheld)
    # nothing the configuration does not know (it would be held back as unreviewed)
    assert result["transformed"]["withheld"] == [{"field": w.source, "reason": w.reason} for w in source.withheld]
    assert result["transformed"]["rejected"] == 0


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_distribution_carries_every_published_attribute(sources, name):
    """GDAL reads each file with exactly the published attributes; the DataStore gets the same."""
    result = sources[name]
    source, transformed = result["config"], result["transformed"]
    published = published_columns(source)
    coordinates = set(transformed["extra_numbers"])
    for output in outputs(result).values():
        info = pyogrio.read_info(output.path)
        expected = published | (coordinates if output.key == "csv" else set())
        assert set(info["fields"]) == expected, output.key
        assert info["features"] == transformed["rows"]
    records = json.loads(Path(transformed["records"]).read_text(encoding="utf-8"))
    assert {key for record in records for key in record} == published | coordinates
    columns = publisher.datastore_columns(source.fields, transformed["extra_numbers"])
    assert [c["id"] for c in columns] == [f.name for f in source.fields] + transformed["extra_numbers"]
    assert all(c["info"]["label"] for c in columns)


def test_the_schools_publish_all_their_attributes_but_account_names_and_the_database_id(sources):
    result = sources["schulen"]
    frame = pyogrio.read_dataframe(outputs(result)["geojson"].path)
    assert len(result["attributes"]) == 28
    assert len(published_columns(result["config"])) == 25
    for name in ("typ", "standorttyp", "traegertyp", "kurzbezeichnung", "snummer", "nummer", "erstellt"):
        assert name in frame.columns
    assert {"creator", "editor", "globalid"}.isdisjoint(frame.columns)
    assert "GISAdminChemnitz" not in outputs(result)["csv"].path.read_text(encoding="utf-8")
    albert = frame.loc[frame["bezeichnung"] == "Albert-Einstein-Grundschule"].iloc[0]
    assert (albert["typ"], albert["art"], albert["kurzbezeichnung"]) == (10, "Grundschule", "Albert-Einstein-GS")


def test_the_gml_encoding_is_not_taken_for_attributes(sources, tmp_path):
    """GDAL makes columns of each GML feature's id and, without the server's schema, of its
    envelope's corners: neither is an attribute of the source."""
    raw = store.read_frame(Path(sources["stadtteile"]["transformed"]["records"]).parent / "raw.parquet")
    assert set(raw.columns) - {"geometry"} == sources["stadtteile"]["attributes"]
    map_file, mapserver_config = wfs.write_map(tmp_path, "http://127.0.0.1:9/wfs")  # schema not reachable
    query = "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=Stadtteile&SRSNAME=urn:ogc:def:crs:EPSG::25833"
    environment = {"MAPSERVER_CONFIG_FILE": str(mapserver_config), "REQUEST_METHOD": "GET",
                   "QUERY_STRING": f"map={map_file}&{query}"}  # fmt: skip
    answer = subprocess.run([wfs.MAPSERV], env=environment, capture_output=True, timeout=60, check=True).stdout
    gml = answer.split(b"\r\n\r\n", 1)[1]
    assert b"<gml:lowerCorner>" in gml and b'gml:id="Stadtteile.1"' in gml
    bare = gpd.read_file(io.BytesIO(gml))
    assert {"gml_id", "lowerCorner", "upperCorner"} <= set(bare.columns)  # what GDAL alone makes of it
    frame = extract_wfs._read_gml(gml, "http://127.0.0.1:9/wfs", "EPSG:25833")
    assert set(frame.columns) - {"geometry"} == sources["stadtteile"]["attributes"]
    assert len(frame) == 39


# --- RFC 7946 and the description of every file -------------------------------------------------


def _positions(coordinates):
    if isinstance(coordinates[0], (int, float, decimal.Decimal)):
        yield coordinates
    else:
        for part in coordinates:
            yield from _positions(part)


def _rings(geometry: dict):
    polygons = {"Polygon": [geometry["coordinates"]], "MultiPolygon": geometry["coordinates"]}
    for polygon in polygons.get(geometry["type"], []):
        yield from ((index == 0, ring) for index, ring in enumerate(polygon))


def _signed_area(ring) -> float:
    """Shoelace formula: positive for counter-clockwise rings (x east, y north)."""
    points = [(float(x), float(y)) for x, y, *_ in ring]
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(points)) / 2


def _decimals(value: decimal.Decimal) -> int:
    return max(0, -value.as_tuple().exponent)


def check_rfc7946(path: Path, rows: int) -> None:
    """RFC 7946 strictly: FeatureCollection of Features, no ``crs``, lon/lat, ring orientation."""
    document = json.loads(path.read_text(encoding="utf-8"), parse_float=decimal.Decimal)
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document  # §4: no crs member
    assert len(document["features"]) == rows
    for feature in document["features"]:
        assert feature["type"] == "Feature"
        assert set(feature) == {"type", "properties", "geometry"}
        assert isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        assert geometry["type"] in {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
        for position in _positions(geometry["coordinates"]):
            assert len(position) in (2, 3)
            lon, lat = position[:2]
            assert CITY_LON[0] < lon < CITY_LON[1] and CITY_LAT[0] < lat < CITY_LAT[1]  # lon first
        for exterior, ring in _rings(geometry):
            assert len(ring) >= 4 and ring[0] == ring[-1]  # §3.1.6: closed linear rings
            assert (_signed_area(ring) > 0) is exterior  # exterior counter-clockwise, holes clockwise
    info = pyogrio.read_info(path)
    assert info["crs"] == "EPSG:4326" and info["features"] == rows  # GDAL reads it as WGS 84, lon/lat


def check_declared_utm33(path: Path, rows: int) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["crs"] == {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25833"}}
    info = pyogrio.read_info(path)
    assert info["crs"] == "EPSG:25833" and info["features"] == rows  # GDAL needs no -a_srs / -s_srs
    west, south, east, north = info["total_bounds"]
    assert CITY_EASTING[0] < west < east < CITY_EASTING[1] and CITY_NORTHING[0] < south < north < CITY_NORTHING[1]


def check_decimals(limit: int):
    def check(path: Path, rows: int) -> None:
        document = json.loads(path.read_text(encoding="utf-8"), parse_float=decimal.Decimal)
        used = [
            _decimals(value)
            for feature in document["features"]
            for position in _positions(feature["geometry"]["coordinates"])
            for value in position
            if isinstance(value, decimal.Decimal)
        ]
        assert max(used, default=0) <= limit

    return check


def check_csv(path: Path, rows: int) -> None:
    text = path.read_bytes().decode("utf-8")  # UTF-8, no BOM
    assert not text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text), delimiter=","))
    assert len(table) == rows + 1  # one row per feature
    assert table[0] == list(pyogrio.read_info(path)["fields"])  # GDAL splits at the comma too


def check_columns(lon: str, lat: str):
    """The named columns hold WGS 84 lon/lat in Chemnitz; GDAL finds the points through them."""

    def check(path: Path, rows: int) -> None:
        frame = pyogrio.read_dataframe(path, X_POSSIBLE_NAMES=lon, Y_POSSIBLE_NAMES=lat)
        assert len(frame) == rows
        xy = shapely.get_coordinates(frame.geometry.to_numpy())
        assert len(xy) == rows
        assert ((CITY_LON[0] < xy[:, 0]) & (xy[:, 0] < CITY_LON[1])).all()
        assert ((CITY_LAT[0] < xy[:, 1]) & (xy[:, 1] < CITY_LAT[1])).all()

    return check


def check_no_coordinates(path: Path, rows: int) -> None:
    assert not set(pyogrio.read_info(path)["fields"]) & set(files.COORDINATE_COLUMNS)


# Phrases of the descriptions and what each promises about its file.
PROMISES = {
    "als GeoJSON nach RFC 7946": check_rfc7946,
    "Außenringe gegen den Uhrzeigersinn, Löcher im Uhrzeigersinn": check_rfc7946,
    "höchstens 7 Nachkommastellen": check_decimals(7),
    "2 Nachkommastellen": check_decimals(2),
    "(EPSG:25833;": check_declared_utm33,
    "„crs“ (urn:ogc:def:crs:EPSG::25833)": check_declared_utm33,
    "Tabelle (UTF-8, Komma als Trennzeichen, eine Zeile je Objekt)": check_csv,
    "in den Spalten lon und lat": check_columns("lon", "lat"),
    "in den Spalten centroid_lon und centroid_lat": check_columns("centroid_lon", "centroid_lat"),
    "ohne Koordinaten": check_no_coordinates,
}
# Each file says where its coordinates are (or that it has none).
COORDINATE_PROMISES = {
    "als GeoJSON nach RFC 7946",
    "(EPSG:25833;",
    "in den Spalten lon und lat",
    "in den Spalten centroid_lon und centroid_lat",
    "ohne Koordinaten",
}


def check_description(output: files.Output, rows: int) -> list[str]:
    made = [phrase for phrase in PROMISES if phrase in output.description]
    assert set(made) & COORDINATE_PROMISES, f"{output.key}: the description says nothing about coordinates"
    for phrase in made:
        PROMISES[phrase](output.path, rows)
    return made


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_description_tells_the_truth_about_its_file(sources, name):
    result = sources[name]
    for output in outputs(result).values():
        check_description(output, result["transformed"]["rows"])
    assert set(outputs(result)) == {"geojson", "geojson-25833", "csv"}


def test_the_district_csv_carries_centroids_and_says_so(sources):
    result = sources["stadtteile"]
    csv_output = outputs(result)["csv"]
    assert "Schwerpunkt (Zentroid)" in csv_output.description
    assert result["transformed"]["extra_numbers"] == ["centroid_lon", "centroid_lat"]
    table = pyogrio.read_dataframe(csv_output.path, read_geometry=False)
    areas = gpd.read_file(outputs(result)["geojson-25833"].path)
    expected = areas.geometry.centroid.to_crs("EPSG:4326")  # of the published outlines (to the centimetre)
    assert (table["centroid_lon"].astype(float) - expected.x).abs().max() < 1e-6
    assert (table["centroid_lat"].astype(float) - expected.y).abs().max() < 1e-6
    kassberg = table.index[table["name"] == "Kaßberg"][0]
    assert areas.geometry[kassberg].contains(shapely.Point(areas.geometry[kassberg].centroid))
    assert check_description(csv_output, 39) == [
        "Tabelle (UTF-8, Komma als Trennzeichen, eine Zeile je Objekt)",
        "in den Spalten centroid_lon und centroid_lat",
    ]


def test_a_table_without_geometry_says_it_has_no_coordinates(tmp_path):
    frame = gpd.pd.DataFrame({"name": ["a", "b"], "n": [1, 2]})
    (output,) = files.write_all(frame, files.tabular(frame), tmp_path, "Ohne Lage")
    assert check_description(output, 2) == ["Tabelle (UTF-8, Komma als Trennzeichen, eine Zeile je Objekt)",
                                             "ohne Koordinaten"]  # fmt: skip


def test_an_attribute_the_source_gains_is_withheld_until_reviewed(caplog):
    """A new column may carry personal data: held back and listed on the page, never dropped silently."""
    source = config.load(SOURCES["schulen"])
    columns = [*(f.source for f in source.fields), *(w.source for w in source.withheld), "geometry", "Bearbeiterin"]
    withheld = steps.withheld_attributes(source, columns)
    assert withheld[:3] == [{"field": w.source, "reason": w.reason} for w in source.withheld]
    assert withheld[3:] == [{"field": "Bearbeiterin", "reason": steps.UNREVIEWED_REASON}]
    assert "Bearbeiterin" in caplog.text and "schulen.yaml" in caplog.text
