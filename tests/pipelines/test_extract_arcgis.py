"""The ArcGIS FeatureServer reader, against a server that answers like ArcGIS Online does.

The layer serves the real Chemnitz schools in Web Mercator (as the city's hosted layers do) with
a small ``maxRecordCount``, so paging really happens; error bodies are recorded real responses
from replica/fixtures/reference/arcgis.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest
from pyproj import Transformer

from pipelines.errors import SourceError
from pipelines.extract import arcgis
from pipelines.web import session
from tests.pipelines.conftest import CHEMNITZ, REFERENCE, respond

SCHOOLS = json.loads((CHEMNITZ / "Schulen.geojson").read_text(encoding="utf-8"))["features"]
TO_MERCATOR = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
PAGE = 50
TRUNCATED = b'{"features": [{"attributes": '


def esri_feature(feature: dict) -> dict:
    x, y = TO_MERCATOR.transform(*feature["geometry"]["coordinates"])
    attributes = dict(feature["properties"], CreationDate=1702635595478)  # epoch ms, as f=json gives them
    return {"attributes": attributes, "geometry": {"x": x, "y": y}}


def feature_server(faults: dict[str, bytes] | None = None, drop: int = 0):
    """A request handler answering layer metadata, counts and pages like a hosted FeatureServer."""
    features = [esri_feature(f) for f in SCHOOLS]

    def handle(request) -> None:
        url = urllib.parse.urlparse(request.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if faults and url.path.endswith("/query") and "resultOffset" in query and query["resultOffset"] in faults:
            return respond(request, faults[query["resultOffset"]])
        if url.path.endswith("/0"):
            layer = {"objectIdField": "OBJECTID", "maxRecordCount": PAGE,
                     "fields": [{"name": "CreationDate", "type": "esriFieldTypeDate"}],
                     "extent": {"spatialReference": {"wkid": 102100, "latestWkid": 3857}}}  # fmt: skip
            return respond(request, json.dumps(layer).encode())
        if query.get("returnCountOnly") == "true":
            return respond(request, json.dumps({"count": len(features)}).encode())
        offset, count = int(query["resultOffset"]), min(int(query["resultRecordCount"]), PAGE)
        page = features[offset : offset + count]
        if drop and offset > 0:
            page = page[drop:]
        body = {"spatialReference": {"wkid": 102100, "latestWkid": 3857}, "features": page,
                "exceededTransferLimit": offset + count < len(features)}  # fmt: skip
        return respond(request, json.dumps(body).encode())

    return handle


def read(url: str):
    return arcgis.read_layer(session(retries=0), url, page_size=1000, timeout=5)


def test_pages_until_the_count_is_reached(serve):
    layer = read(f"{serve(feature_server())}/Schulen_OpenData/FeatureServer/0")
    assert len(layer) == 139
    assert layer["OBJECTID"].is_unique
    assert layer.crs == "EPSG:3857"
    school = layer.loc[layer["BEZEICHNUNG"] == "Albert-Einstein-Grundschule"].to_crs("EPSG:4326").geometry.item()
    assert (school.x, school.y) == pytest.approx((12.8872762658422, 50.792274910243798), abs=1e-9)
    assert layer["CreationDate"].iloc[0] == 1702635595478  # epoch ms, typed by the field mapping later


@pytest.mark.parametrize(
    "recorded", ["koop_statsFail.json", "koop_secured.json", "pyesridump_kent_statistics_error.json"]
)
def test_arcgis_errors_with_http_200_fail_the_run(serve, recorded):
    body = (REFERENCE / "arcgis" / recorded).read_bytes()
    message = json.loads(body)["error"]["message"]
    with pytest.raises(SourceError, match=f"ArcGIS error .*{message}"):
        read(f"{serve(feature_server({'50': body}))}/Layer/FeatureServer/0")


def test_truncated_page_is_an_error(serve):
    with pytest.raises(SourceError, match="not valid JSON"):
        read(f"{serve(feature_server({'100': TRUNCATED}))}/Layer/FeatureServer/0")


def test_pages_that_do_not_add_up_are_an_error(serve):
    with pytest.raises(SourceError, match="reports 139 features but paging returned"):
        read(f"{serve(feature_server(drop=5))}/Layer/FeatureServer/0")


def test_layer_metadata_of_real_services():
    hosted = json.loads((REFERENCE / "arcgis" / "koop_hostedLayerInfo.json").read_text())
    assert arcgis._crs(hosted["extent"]["spatialReference"]) == "EPSG:3857"
    polygon = arcgis._geometry({"rings": [[[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]],
                                          [[2, 2], [4, 2], [4, 4], [2, 4], [2, 2]]]})  # fmt: skip
    assert polygon.area == pytest.approx(96)  # the counter-clockwise ring is a hole


def test_a_server_error_is_retried_with_back_off_then_fails_the_run(serve):
    attempts = []

    def failing(request) -> None:
        attempts.append(request.path)
        respond(request, b"Internal Server Error", status=500, content_type="text/plain")

    with pytest.raises(SourceError, match="HTTP 500"):
        arcgis.read_layer(session(retries=2, backoff=0.05), f"{serve(failing)}/L/FeatureServer/0", 1000, 5)
    assert len(attempts) == 3  # the request and two retries


def test_a_maintenance_page_instead_of_json_fails_the_run(serve):
    def maintenance(request) -> None:
        respond(request, b"<html><body>Wartungsarbeiten</body></html>", content_type="text/html")

    with pytest.raises(SourceError, match=r"not valid JSON.*Wartungsarbeiten"):
        read(f"{serve(maintenance)}/L/FeatureServer/0")
