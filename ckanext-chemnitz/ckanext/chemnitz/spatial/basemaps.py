"""The background layers of every map of the portal, from the ``ckanext.chemnitz.map.*`` settings.

Saxony's and the federation's official maps come first (docs/saxony.md): basemap.de's web raster in
grey (shown first: the portal's data stands out on it) and in colour, and GeoSN's aerial
photographs (a WMS), each with the attribution its licence requires. OpenStreetMap
(``tile_url``) is the fallback when no basemap.de address is set. The same list gives the Content
Security Policy its image hosts, so the browser may load exactly the configured maps.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk

PREFIX = "ckanext.chemnitz.map."


def layers(config: Mapping[str, Any] | None = None, year: int | None = None) -> list[dict[str, str]]:
    """The base layers to choose from, the first one shown: ``id``, ``url`` (tile template) or
    ``wms`` with ``layers``, and the attribution (``{year}`` becomes the current year)."""
    config = tk.config if config is None else config
    year = year or dt.date.today().year

    def setting(name: str) -> str:
        return (config.get(PREFIX + name) or "").strip()

    basemap = setting("basemap_attribution").replace("{year}", str(year))
    chosen = [
        {"id": name, "url": url, "attribution": basemap}
        for name, url in (("grey", setting("basemap_grey_url")), ("colour", setting("basemap_colour_url")))
        if url
    ]
    if not chosen and setting("tile_url"):
        chosen.append({"id": "osm", "url": setting("tile_url"), "attribution": setting("tile_attribution")})
    if setting("aerial_url"):
        chosen.append({
            "id": "aerial", "wms": setting("aerial_url"), "layers": setting("aerial_layers"),
            "attribution": setting("aerial_attribution").replace("{year}", str(year)),
        })  # fmt: skip
    return chosen


def as_json(config: Mapping[str, Any] | None = None) -> str:
    """The layers with their names and the layer switcher's name, for the map script
    (``data-tiles`` of the map templates, read by assets/map/basemap.js)."""
    labels = {
        "grey": tk._("basemap.de grey"),
        "colour": tk._("basemap.de colour"),
        "osm": "OpenStreetMap",
        "aerial": tk._("Aerial photographs (GeoSN)"),
    }
    base = [{**layer, "label": labels[layer["id"]]} for layer in layers(config)]
    return json.dumps({"label": tk._("Background map"), "base": base}, ensure_ascii=False)


def origin(url: str) -> str:
    """The origin of a tile template or service URL, ``{s}`` subdomains as a wildcard ('' if none)."""
    parts = urlsplit(url.replace("{s}.", "*."))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def shown_origin(config: Mapping[str, Any] | None = None) -> str:
    """The origin of the layer a map shows first ('' if none or with ``{s}`` subdomains): a page with
    a map in view connects to it while its scripts load (``templates/chemnitz/spatial/preconnect.html``)."""
    shown = layers(config, year=1)
    found = origin(shown[0].get("url") or shown[0].get("wms", "")) if shown else ""
    return "" if "*" in found else found


def origins(config: Mapping[str, Any]) -> list[str]:
    """The hosts the maps load images from: those of the configured layers, nothing else."""
    found = [origin(layer.get("url") or layer.get("wms", "")) for layer in layers(config, year=1)]
    return sorted({host for host in found if host})
