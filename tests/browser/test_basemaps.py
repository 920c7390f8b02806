"""The portal's map script in Chromium on the basemap replica: basemap.de grey with its attribution first,
colour and GeoSN's aerial photographs selectable, tiles really loaded. Needs no portal: a page with the
portal's Leaflet and assets/map/basemap.js, the layers as ``spatial/basemaps.py`` builds them."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from ckanext.chemnitz.spatial import basemaps as portal_layers
from replica import basemaps
from replica.run import free_port
from tests.browser.conftest import axe_violations, describe

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "ckanext-chemnitz" / "ckanext" / "chemnitz" / "assets"
DECLARATION = ASSETS.parent / "config_declaration.yaml"
LABELS = {"grey": "basemap.de grau", "colour": "basemap.de farbig", "aerial": "Luftbild (GeoSN)"}
PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Karte</title>
<link rel="stylesheet" href="leaflet.css"><link rel="stylesheet" href="basemap.css"></head><body>
<main>
<div id="karte" style="width: 600px; height: 400px"></div><p id="hinweis" hidden></p>
<script type="application/json" id="ebenen">{layers}</script>
<script src="leaflet.js"></script><script src="basemap.js"></script><script src="start.js"></script>
</main></body></html>"""
START = """window.chemnitzMap(document.getElementById("karte"), {
  tiles: document.getElementById("ebenen").textContent, notice: document.getElementById("hinweis"),
  noTilesText: "Die Hintergrundkarte kann nicht geladen werden.",
}).setView([50.8322, 12.9252], 13);"""


def declared_defaults() -> dict[str, str]:
    groups = yaml.safe_load(DECLARATION.read_text(encoding="utf-8"))["groups"]
    return {option["key"]: option.get("default", "") for group in groups for option in group["options"]}


def serve(server: http.server.ThreadingHTTPServer) -> str:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def map_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A page with one portal map whose layers point at a basemap replica, as ``make demo`` sets them."""
    work = tmp_path_factory.mktemp("basemaps")
    port = free_port()
    replica = basemaps.server(work / "replica", port, f"http://127.0.0.1:{port}")
    base = serve(replica)
    raster = f"{base}/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster"
    tiles = "default/GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png"
    settings = {
        **declared_defaults(),
        "ckanext.chemnitz.map.basemap_grey_url": f"{raster}_grau/{tiles}",
        "ckanext.chemnitz.map.basemap_colour_url": f"{raster}_farbe/{tiles}",
        "ckanext.chemnitz.map.aerial_url": f"{base}/wms_geosn_dop-rgb/guest",
    }
    layers = [{**layer, "label": LABELS[layer["id"]]} for layer in portal_layers.layers(settings)]
    site = work / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE.format(layers=json.dumps({"label": "Hintergrundkarte", "base": layers})))
    (site / "start.js").write_text(START)
    for asset in (ASSETS / "vendor" / "leaflet" / "leaflet.js", ASSETS / "vendor" / "leaflet" / "leaflet.css",
                  ASSETS / "map" / "basemap.js", ASSETS / "map" / "basemap.css"):  # fmt: skip
        shutil.copy(asset, site / asset.name)
    files = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietFiles, directory=str(site)))
    yield serve(files) + "/index.html"
    files.shutdown()
    replica.shutdown()


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return None


def loaded_tiles(browser, layer: str) -> list[str]:
    """Sources of the tiles of a layer that the browser has drawn (waits for the first)."""

    def drawn(driver) -> list[str]:
        tiles = driver.find_elements(By.CSS_SELECTOR, "img.leaflet-tile-loaded")
        return [source for source in (tile.get_attribute("src") for tile in tiles) if layer in source]

    return WebDriverWait(browser, 20).until(drawn)


def attribution(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".leaflet-control-attribution").text


def choose(browser, label: str) -> None:
    """Open the layer switcher from the keyboard (Enter on its named toggle) and pick a background."""
    toggle = browser.find_element(By.CSS_SELECTOR, ".leaflet-control-layers-toggle")
    assert toggle.get_attribute("aria-label") == "Hintergrundkarte"
    if toggle.is_displayed():  # collapsed (an open switcher hides its toggle)
        toggle.send_keys(Keys.ENTER)
    browser.find_element(By.XPATH, f"//label[normalize-space()='{label}']//input").send_keys(Keys.SPACE)


def test_the_map_shows_basemap_de_grey_with_its_attribution_and_switches_to_colour_and_aerial(browser, map_page):
    year = dt.date.today().year
    browser.get(map_page)
    assert loaded_tiles(browser, "de_basemapde_web_raster_grau")
    assert f"© {year} basemap.de / BKG | Datenquellen: © GeoBasis-DE" in attribution(browser)
    assert "GeoSN" not in attribution(browser)
    choices = browser.find_elements(By.CSS_SELECTOR, ".leaflet-control-layers-base label")
    labels = [label.get_attribute("textContent").strip() for label in choices]
    assert labels == ["basemap.de grau", "basemap.de farbig", "Luftbild (GeoSN)"]

    choose(browser, "Luftbild (GeoSN)")
    assert any("sn_dop_020" in source for source in loaded_tiles(browser, "/wms_geosn_dop-rgb/guest"))
    WebDriverWait(browser, 10).until(lambda driver: "Quelle: GeoSN, dl-de/by-2-0" in attribution(driver))
    assert "basemap.de" not in attribution(browser)

    choose(browser, "basemap.de farbig")
    assert loaded_tiles(browser, "de_basemapde_web_raster_farbe")
    assert f"© {year} basemap.de / BKG | Datenquellen: © GeoBasis-DE" in attribution(browser)
    assert browser.find_element(By.ID, "hinweis").get_attribute("hidden")  # every tile came: no notice
    link_rules = [v for v in axe_violations(browser) if v["id"] == "link-in-text-block"]
    assert not link_rules, describe(link_rules)  # the attribution's links stand out from its text
