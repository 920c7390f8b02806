"""The replicas answer like the city's services, with the real fixture data."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from pyproj import Transformer

from replica.data import ARCGIS_LAYERS, FIXTURES


def get(url: str, **params: object) -> bytes:
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{url}?{query}" if params else url, timeout=30) as response:
        return response.read()


def get_json(url: str, **params: object) -> dict:
    return json.loads(get(url, **params))


@pytest.mark.parametrize(("service", "count"), [("Schulen_OpenData", 139), ("Kindertageseinrichtungen_Sicht", 241),
                                                ("Stadtteile_FL_1", 39)])  # fmt: skip
def test_arcgis_counts_and_paging_return_every_feature_once(replicas, service, count):
    layer = f"{replicas.arcgis}/{service}/FeatureServer/0"
    assert get_json(f"{layer}/query", where="1=1", returnCountOnly="true", f="json") == {"count": count}
    assert get_json(layer, f="json")["maxRecordCount"] == 50
    ids, offset = [], 0
    while True:
        page = get_json(f"{layer}/query", where="1=1", outFields="OBJECTID", resultOffset=offset,
                        resultRecordCount=50, orderByFields="OBJECTID", f="json")  # fmt: skip
        ids += [f["attributes"]["OBJECTID"] for f in page["features"]]
        offset += len(page["features"])
        if not page.get("exceededTransferLimit"):
            break
    assert sorted(ids) == sorted(set(ids)) and len(ids) == count


def test_arcgis_web_mercator_and_epoch_milliseconds(replicas):
    query = f"{replicas.arcgis}/Schulen_OpenData/FeatureServer/0/query"
    answer = get_json(query, where="OBJECTID=1", outFields="*", outSR=3857, f="json")
    feature = answer["features"][0]
    assert answer["spatialReference"]["latestWkid"] == 3857
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(12.8872762658422, 50.7922749102438)
    assert (feature["geometry"]["x"], feature["geometry"]["y"]) == pytest.approx((x, y), abs=0.01)
    assert feature["attributes"]["CreationDate"] == 1702635595478  # 2023-12-15T10:19:55.478Z
    geojson = get_json(query, where="ART='Grundschule'", outFields="BEZEICHNUNG", f="geojson")
    assert geojson["type"] == "FeatureCollection" and len(geojson["features"]) == 51


def test_wfs_paging_and_axis_order(replicas):
    def page(start: int, srs: str) -> bytes:
        return get(replicas.wfs, SERVICE="WFS", VERSION="2.0.0", REQUEST="GetFeature", TYPENAMES="Schulen",
                   COUNT=1, STARTINDEX=start, SRSNAME=srs)  # fmt: skip

    latlon = page(0, "urn:ogc:def:crs:EPSG::4326").decode()
    assert "<gml:pos>50.792275 12.887276</gml:pos>" in latlon  # EPSG:4326 in the authority's order
    utm = page(0, "urn:ogc:def:crs:EPSG::25833").decode()
    east, north = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True).transform(12.8872763, 50.7922749)
    assert f"{east:.1f}"[:6] in utm and f"{north:.1f}"[:7] in utm
    assert page(1, "urn:ogc:def:crs:EPSG::25833") != utm
    capabilities = get(replicas.wfs, SERVICE="WFS", VERSION="2.0.0", REQUEST="GetCapabilities").decode()
    assert "<wfs:Name>Stadtteile</wfs:Name>" in capabilities or "Stadtteile" in capabilities
    geojson = json.loads(get(replicas.wfs, SERVICE="WFS", VERSION="2.0.0", REQUEST="GetFeature",
                             TYPENAMES="Stadtteile", OUTPUTFORMAT="geojson"))  # fmt: skip
    assert len(geojson["features"]) == 39


def test_file_drops_are_byte_for_byte_with_conditional_requests(replicas):
    with urllib.request.urlopen(f"{replicas.files}/Schulsozialarbeit.csv", timeout=10) as response:
        body, etag = response.read(), response.headers["ETag"]
        assert response.headers["Content-Type"].startswith("text/csv")
    assert body == (FIXTURES / "Schulsozialarbeit.csv").read_bytes()  # BOM and line breaks intact
    conditional = urllib.request.Request(f"{replicas.files}/Schulsozialarbeit.csv", headers={"If-None-Match": etag})
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(conditional, timeout=10)
    assert not_modified.value.code == 304


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        ("arcgis_error", lambda body: json.loads(body)["error"]["code"] == 400),
        ("empty", lambda body: json.loads(body)["features"] == []),
        ("invalid", lambda body: body.startswith(b"<html>")),
        ("tenfold", lambda body: len(json.loads(body)["features"]) == 1390),
    ],
)
def test_faults_on_demand(replicas, fault, kind, check):
    fault("arcgis", kind)
    url = f"{replicas.arcgis}/Schulen_OpenData/FeatureServer/0/query"
    assert check(get(url, where="1=1", f="json"))
    assert get_json(url, where="1=1", returnCountOnly="true", f="json") == {"count": 139}  # once only


def test_fault_http_500(replicas, fault):
    fault("files", "http500", times=2)
    for _ in range(2):
        with pytest.raises(urllib.error.HTTPError) as error:
            get(f"{replicas.files}/Schulen.csv")
        assert error.value.code == 500
    assert len(get(f"{replicas.files}/Schulen.csv")) == 64180


@pytest.mark.parametrize(("kind", "status"), [("http500", 500), ("http503", 503), ("invalid", 200)])
def test_a_fault_answers_head_as_it_answers_get(replicas, fault, kind, status):
    """The pipelines ask for the data version with HEAD first: a failing server fails that too."""
    url = f"{replicas.files}/Schulen.csv"
    fault("files", kind, times=2)
    answers = []
    for method in ("HEAD", "GET"):
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as answer:
                answers.append((answer.status, answer.headers["Content-Type"]))
        except urllib.error.HTTPError as error:
            answers.append((error.code, error.headers["Content-Type"]))
    assert answers[0] == answers[1] and answers[0][0] == status
    with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10) as answer:
        assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/csv")  # both taken


def test_every_arcgis_layer_is_a_fixture():
    assert all((FIXTURES / fixture).exists() for fixture in ARCGIS_LAYERS.values())


def test_fault_tenfold_repeats_csv_rows_and_changes_the_etag(replicas, fault):
    url = f"{replicas.files}/Schulen.csv"
    plain = urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10).headers["ETag"]
    fault("files", "tenfold", times=2)  # the HEAD and the GET
    doubled = urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10).headers["ETag"]
    tenfold_rows = get(url).partition(b"\n")[2]
    assert doubled == plain + "-tenfold" and tenfold_rows == get(url).partition(b"\n")[2] * 10
