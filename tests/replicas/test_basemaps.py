"""The basemap replica answers like basemap.de's WMTS and GeoSN's aerial photograph WMS, as OWSLib reads them."""

from __future__ import annotations

import struct
import urllib.request

import pytest
from owslib.wms import WebMapService
from owslib.wmts import WebMapTileService

from replica.basemaps import WMS, WMTS, WMTS_LAYERS

CHEMNITZ_Z13 = (13, 2748, 4390)  # zoom, row, column of the tile over Sonnenberg and the centre
ATLANTIC_Z13 = (13, 2900, 3600)


def png_size(image: bytes) -> tuple[int, int]:
    assert image[:8] == b"\x89PNG\r\n\x1a\n", image[:200]
    return struct.unpack(">II", image[16:24])


@pytest.fixture(scope="module")
def wmts(replicas) -> WebMapTileService:
    return WebMapTileService(f"{replicas.basemaps}{WMTS}/1.0.0/WMTSCapabilities.xml")


def tile(wmts: WebMapTileService, layer: str, zoom: int, row: int, column: int) -> bytes:
    url = wmts.contents[layer].resourceURLs[0]["template"]
    for name, value in {"Style": "default", "TileMatrixSet": "GLOBAL_WEBMERCATOR", "TileMatrix": zoom,
                        "TileRow": row, "TileCol": column}.items():  # fmt: skip
        url = url.replace(f"{{{name}}}", str(value))
    with urllib.request.urlopen(url, timeout=30) as answer:
        assert answer.headers["Content-Type"] == "image/png"
        return answer.read()


def test_wmts_capabilities_name_basemap_de_layers_paths_and_web_mercator_matrices(wmts, replicas):
    assert set(wmts.contents) == set(WMTS_LAYERS)
    for name, layer in wmts.contents.items():
        assert "Beispiel" in layer.title  # a sample, not basemap.de
        assert list(layer.tilematrixsetlinks) == ["GLOBAL_WEBMERCATOR"]
        assert layer.resourceURLs[0]["template"] == (
            f"{replicas.basemaps}/wmts_basemapde/tile/1.0.0/{name}/{{Style}}/{{TileMatrixSet}}/{{TileMatrix}}/{{TileRow}}/{{TileCol}}.png"
        )
        west, south, east, north = layer.boundingBoxWGS84
        assert west < 12.92 < east and south < 50.83 < north  # Chemnitz
    matrices = wmts.tilematrixsets["GLOBAL_WEBMERCATOR"]
    assert matrices.crs == "urn:ogc:def:crs:EPSG::3857"
    assert sorted(map(int, matrices.tilematrix)) == list(range(19))
    assert matrices.tilematrix["13"].matrixwidth == 2**13
    assert matrices.tilematrix["0"].scaledenominator == pytest.approx(559082264.0287178)


def test_wmts_tiles_show_the_districts_in_grey_and_in_colour(wmts, replicas):
    grey = tile(wmts, "de_basemapde_web_raster_grau", *CHEMNITZ_Z13)
    colour = tile(wmts, "de_basemapde_web_raster_farbe", *CHEMNITZ_Z13)
    assert png_size(grey) == png_size(colour) == (256, 256)
    assert grey != colour
    assert tile(wmts, "de_basemapde_web_raster_grau", *ATLANTIC_Z13) != grey  # drawn from the districts: blank far away
    beyond = f"{replicas.basemaps}{WMTS}/tile/1.0.0/de_basemapde_web_raster_grau/default/GLOBAL_WEBMERCATOR/2/4/0.png"
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(beyond, timeout=10)
    assert error.value.code == 404


def test_wms_capabilities_and_map_of_the_aerial_photograph_layer(replicas):
    wms = WebMapService(f"{replicas.basemaps}{WMS}", version="1.3.0")
    assert "sn_dop_020" in wms.contents
    layer = wms["sn_dop_020"]
    assert "Beispiel" in layer.title
    assert {"EPSG:3857", "EPSG:25833"} <= set(layer.crsOptions)
    assert "image/png" in wms.getOperationByName("GetMap").formatOptions
    image = wms.getmap(layers=["sn_dop_020"], srs="EPSG:3857", bbox=(1433000, 6583000, 1443000, 6593000),
                       size=(300, 200), format="image/png").read()  # fmt: skip
    assert png_size(image) == (300, 200)
