"""GeoSN's base data in the replicas: samples in the services' schemas, made only from the city's real fixtures."""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile

import pytest
from owslib.wfs import WebFeatureService
from shapely.geometry import shape
from shapely.ops import unary_union

from replica import geosn
from replica.data import ALKIS_PATH, FIXTURES


def test_the_committed_samples_are_exactly_what_the_fixtures_give():
    """The provenance holds: regenerating from the city's files changes nothing."""
    assert json.loads(geosn.BOUNDARY.read_text(encoding="utf-8")) == json.loads(json.dumps(geosn.boundary()))
    assert geosn.ADDRESSES.read_bytes() == geosn.addresses_csv().encode()


def test_the_boundary_is_the_union_of_the_39_districts():
    districts = json.loads((FIXTURES / "Stadtteile.geojson").read_text(encoding="utf-8"))["features"]
    (feature,) = json.loads(geosn.BOUNDARY.read_text(encoding="utf-8"))["features"]
    union = unary_union([shape(district["geometry"]).buffer(0) for district in districts])
    assert shape(feature["geometry"]).symmetric_difference(union).area < 1e-12
    assert feature["properties"] == {"id": "DE14511000", "schluessel": "14511000", "name": "Chemnitz",
                                     "verwaltungsebene": "Gemeinde"}  # fmt: skip


def test_the_addresses_are_the_facilities_addresses_marked_as_samples():
    rows = geosn.addresses()
    assert len(rows) > 200 and all(row["OI"].startswith("DESNBEISPIEL") for row in rows)
    assert len({(row["STN"], row["HNR"], row["ADZ"]) for row in rows}) == len(rows)
    hohe_strasse = [row for row in rows if (row["STN"], row["HNR"]) == ("Hohe Straße", "35")]
    # The Karl-Schmidt-Rottluff-Gymnasium, Haus II (Schulen.csv), on the Kaßberg, with the city's street key.
    assert [(row["SSS"], row["PLZ"], row["POT"]) for row in hohe_strasse] == [("01315", "09112", "Kaßberg")]


def test_the_alkis_replica_serves_the_boundary_as_ave_verwaltungseinheit_in_utm(replicas):
    base = replicas.wfs.removesuffix("/wfs") + ALKIS_PATH
    service = WebFeatureService(base, version="2.0.0")
    assert list(service.contents) == ["ave:VerwaltungsEinheit"]
    assert "Beispiel" in service.identification.title
    gml = service.getfeature(typename=["ave:VerwaltungsEinheit"], srsname="urn:ogc:def:crs:EPSG::25833").read()
    assert b"<ave:schluessel>14511000</ave:schluessel>" in gml and b'srsName="urn:ogc:def:crs:EPSG::25833"' in gml


def test_the_house_coordinates_come_as_a_zip_of_the_sample(replicas):
    with urllib.request.urlopen(f"{replicas.files}/hauskoordinaten_chemnitz_beispiel.zip", timeout=10) as answer:
        archive = zipfile.ZipFile(io.BytesIO(answer.read()))
    assert archive.namelist() == [geosn.ADDRESSES.name]
    content = archive.read(geosn.ADDRESSES.name)
    assert content == geosn.ADDRESSES.read_bytes()
    assert content.decode("utf-8").splitlines()[0].split(";") == geosn.HK_COLUMNS


@pytest.mark.parametrize("column", ["EEEEEEEE_EEE", "NNNNNNN_NNN"])
def test_house_coordinates_are_utm_33_metres_with_a_decimal_comma(column):
    values = [row[column] for row in geosn.addresses()]
    assert all("," in value and value.replace(",", "").isdigit() for value in values)
