"""Every map of the portal offers the official backgrounds (basemap.de grey first, colour, GeoSN's aerial
photographs) with their attributions, and the Content Security Policy lets exactly their hosts in."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from lxml import html

from tests.ckan_support import PORTAL_PLUGINS

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS + " datastore"),
    pytest.mark.ckan_config("ckan.locale_default", "de"),
    pytest.mark.usefixtures("with_plugins", "with_request_context", "clean_db", "clean_index"),
]
BASEMAP = "https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_{}/default/GLOBAL_WEBMERCATOR/{{z}}/{{y}}/{{x}}.png"


def background(app, url: str) -> dict:
    """The background layers a page hands its map, and the page's image sources policy."""
    answer = app.get(url)
    tiles = html.fromstring(answer.body).xpath("//*[@data-tiles]/@data-tiles")
    assert tiles, f"no map on {url}"
    policy = dict(part.strip().split(" ", 1) for part in answer.headers["Content-Security-Policy"].split(";"))
    return {"layers": json.loads(tiles[0]), "img-src": policy["img-src"]}


def text(attribution: str) -> str:
    return html.fromstring(f"<p>{attribution}</p>").text_content()


@pytest.mark.parametrize("url", ["/karte", "/dataset/", "/parken"])
def test_maps_show_basemap_de_grey_first_colour_and_aerial_photographs_with_their_attributions(app, url):
    shown = background(app, url)
    year = dt.date.today().year
    assert [(layer["label"], layer.get("url") or layer["wms"]) for layer in shown["layers"]["base"]] == [
        ("basemap.de grau", BASEMAP.format("grau")),
        ("basemap.de farbig", BASEMAP.format("farbe")),
        ("Luftbild (GeoSN)", "https://geodienste.sachsen.de/wms_geosn_dop-rgb/guest"),
    ]
    grey, colour, aerial = shown["layers"]["base"]
    required = f"© {year} basemap.de / BKG | Datenquellen: © GeoBasis-DE"
    assert text(grey["attribution"]) == text(colour["attribution"]) == required
    assert aerial["layers"] == "sn_dop_020" and text(aerial["attribution"]) == "Quelle: GeoSN, dl-de/by-2-0"
    assert shown["layers"]["label"] == "Hintergrundkarte"
    assert shown["img-src"] == "'self' data: https://geodienste.sachsen.de https://sgx.geodatenzentrum.de"


@pytest.mark.ckan_config("ckanext.chemnitz.map.basemap_grey_url", "")
@pytest.mark.ckan_config("ckanext.chemnitz.map.basemap_colour_url", "")
@pytest.mark.ckan_config("ckanext.chemnitz.map.aerial_url", "")
def test_without_basemap_de_the_maps_fall_back_to_openstreetmap_and_only_its_host_is_allowed(app):
    shown = background(app, "/karte")
    assert [layer["label"] for layer in shown["layers"]["base"]] == ["OpenStreetMap"]
    assert "OpenStreetMap" in text(shown["layers"]["base"][0]["attribution"])
    assert shown["img-src"] == "'self' data: https://tile.openstreetmap.org"


def preconnected(app, url: str) -> list[str]:
    return html.fromstring(app.get(url).body).xpath("//head/link[@rel='preconnect']/@href")


@pytest.mark.parametrize("url", ["/karte", "/dataset/", "/parken"])
def test_pages_with_a_map_in_view_connect_to_the_first_backgrounds_server_early(app, url):
    assert preconnected(app, url) == ["https://sgx.geodatenzentrum.de"]


@pytest.mark.ckan_config("ckanext.chemnitz.map.basemap_grey_url", "")
@pytest.mark.ckan_config("ckanext.chemnitz.map.basemap_colour_url", "")
@pytest.mark.ckan_config("ckanext.chemnitz.map.tile_url", "https://{s}.tile.example.org/{z}/{x}/{y}.png")
def test_no_early_connection_to_a_background_spread_over_subdomains(app):
    assert preconnected(app, "/karte") == []
