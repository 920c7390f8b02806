"""``package_search`` by place: ckanext-spatial's ``ext_bbox`` and the portal's ``ext_district``.

Clients written for ckanext-spatial send ``ext_bbox=minx,miny,maxx,maxy`` (WGS 84); the web UI's
search form sends it as well, or ``ext_district=<Stadtteil>`` from its district list (the text
alternative to drawing on the map), which becomes that district's bounding box. Both turn into
the Solr filter ckanext-spatial uses, ``spatial_geom:"Intersects(ENVELOPE(…))"``, which the
PostgreSQL backend answers from its extent index and ranks by overlap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError

from ckanext.chemnitz.spatial import districts

Box = tuple[float, float, float, float]


class PlaceError(SearchError):
    """A malformed place in a search: the API answers 409 with the message, the search page shows it."""


def parse_bbox(text: Any) -> Box:
    """``"minx,miny,maxx,maxy"`` as numbers; a precise ``tk.Invalid`` otherwise."""
    parts = str(text).split(",")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(number) for number in numbers):
        raise tk.Invalid(
            tk._("ext_bbox must be four numbers minx,miny,maxx,maxy (WGS 84 degrees), got {value}").format(value=text)
        )
    west, south, east, north = numbers
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        raise tk.Invalid(tk._("ext_bbox lies outside -180..180 (longitude) and -90..90 (latitude)"))
    if west > east or south > north:
        raise tk.Invalid(tk._("ext_bbox must have minx <= maxx and miny <= maxy"))
    return west, south, east, north


def envelope(box: Sequence[float]) -> str:
    """The box as a Solr/JTS shape: ``ENVELOPE(minX, maxX, maxY, minY)``."""
    west, south, east, north = box
    return f"ENVELOPE({west}, {east}, {north}, {south})"


def filter_clause(box: Box) -> str:
    return f'+spatial_geom:"Intersects({envelope(box)})"'


def before_search(search_params: dict[str, Any]) -> dict[str, Any]:
    """Add the spatial filter of ``ext_bbox`` or ``ext_district``."""
    extras = search_params.get("extras") or {}
    box = requested_box(extras)
    if box is not None:
        search_params["fq"] = f"{search_params.get('fq') or ''} {filter_clause(box)}".strip()
    return search_params


def requested_box(extras: dict[str, Any]) -> Box | None:
    """The box of ``ext_bbox`` or else ``ext_district``; ``PlaceError`` when either is malformed."""
    if extras.get("ext_bbox"):
        try:
            return parse_bbox(extras["ext_bbox"])
        except tk.Invalid as error:
            raise PlaceError(error.error) from None
    name = extras.get("ext_district")
    if name:
        district = districts.current().named(str(name))
        if district is None:
            raise PlaceError(tk._("ext_district: unknown district {name}").format(name=name))
        west, south, east, north = district.bounds
        return west, south, east, north
    return None
