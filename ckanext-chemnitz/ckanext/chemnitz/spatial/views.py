"""``/karte``: the facilities the portal knows within an area or near an address, listed by dataset.

For business siting and for citizens ("what is there in Kaßberg?"): the datasets whose extent meets
the area are found with ``package_search`` and ``ext_bbox``; their point features inside the area
are read from their public GeoJSON distributions. Both are public APIs, so a third party can do
the same. The list is the page; the map shows the same points.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, jsonify
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from ckanext.chemnitz.security import outbound
from ckanext.chemnitz.spatial import addresses, districts, resources, search
from ckanext.chemnitz.spatial.helpers import searched_place

log = logging.getLogger(__name__)
karte = Blueprint("chemnitz_karte", __name__)

_POINT_TYPES = ("Point", "MultiPoint")
# resource id -> (version, points): one entry per GeoJSON resource, replaced when it changes
_features: dict[str, tuple[str, list[dict[str, Any]]]] = {}
_lock = threading.Lock()


@karte.route("/karte")
def index() -> str:
    place = searched_place()
    groups: list[dict[str, Any]] = []
    address, wanted = None, tk.request.args.get("adresse", "").strip()
    if wanted and not place["bbox"]:  # "Hohe Straße 35" (a district or map area chosen after it wins)
        try:
            address = addresses.resolve(wanted)
        except addresses.AddressError as error:
            place["error"] = str(error)
        else:
            radius = tk.config.get("ckanext.chemnitz.map.address_radius")
            place["bbox"] = ",".join(f"{number:.6f}" for number in address.box(radius))
            groups = _facilities_in(address.box(radius), address.circle(radius))
    elif place["bbox"]:
        box = search.parse_bbox(place["bbox"])
        # A district from the list: its polygon, not just its bounding box.
        district = None if tk.request.args.get("ext_bbox") else districts.current().named(place["district"])
        groups = _facilities_in(box, district.geometry if district else None)
    points = [dict(f, dataset=g["dataset"]["title"]) for g in groups for f in g["features"]]
    if address:
        points.insert(0, {"name": address.label, "lon": address.lon, "lat": address.lat, "dataset": tk._("Address")})
    return tk.render(
        "chemnitz/spatial/karte.html",
        extra_vars={
            "place": place,
            "groups": groups,
            "total": sum(len(group["features"]) for group in groups),
            "points": points,
            "address": address,
            "address_radius": tk.config.get("ckanext.chemnitz.map.address_radius"),
        },
    )


@karte.route("/karte/adresse")
def address() -> tuple[Response, int]:
    """An address as JSON (``label``, ``lon``, ``lat``) for the pages that measure distances in the
    browser (/parken); an unknown one is a 404 with the German ``error``."""
    try:
        found = addresses.resolve(tk.request.args.get("adresse", ""))
    except addresses.AddressError as error:
        return jsonify({"error": str(error)}), 404
    return jsonify({"label": found.label, "lon": found.lon, "lat": found.lat}), 200


def _facilities_in(box: search.Box, area: BaseGeometry | None) -> list[dict[str, Any]]:
    found = tk.get_action("package_search")(
        {},
        {
            "ext_bbox": ",".join(map(str, box)),
            "fq": 'res_format:"GeoJSON"',
            "rows": tk.config.get("ckanext.chemnitz.map.max_datasets"),
            "include_private": False,
        },
    )
    groups = []
    for dataset in found["results"]:
        resource = resources.web_geojson(dataset.get("resources", []))
        if resource is None:
            continue
        inside = [f for f in _points(resource) if _within(f, box, area)]
        if inside:
            groups.append({"dataset": dataset, "resource": resource, "features": inside})
    return sorted(groups, key=lambda group: -len(group["features"]))


def _within(feature: dict[str, Any], box: search.Box, area: BaseGeometry | None) -> bool:
    west, south, east, north = box
    in_box = west <= feature["lon"] <= east and south <= feature["lat"] <= north
    return in_box and (area is None or area.intersects(Point(feature["lon"], feature["lat"])))


def _points(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """The resource's point features as name and position, cached while the resource is unchanged."""
    version = str(resource.get("last_modified") or resource.get("metadata_modified"))
    with _lock:
        cached = _features.get(resource["id"])
    if cached and cached[0] == version:
        return cached[1]
    try:
        collection = resources.read(resource)
    except (OSError, ValueError, outbound.Refused) as error:
        log.warning("/karte: GeoJSON of resource %s unreadable: %s", resource["id"], error)
        return []
    labels = [label.lower() for label in tk.config.get("ckanext.chemnitz.map.label_properties")]
    points = []
    for number, feature in enumerate(collection.get("features") or [], start=1):
        geometry = feature.get("geometry") or {}
        if geometry.get("type") not in _POINT_TYPES:
            continue
        properties = {str(key).lower(): value for key, value in (feature.get("properties") or {}).items()}
        name = next((str(properties[k]).strip() for k in labels if properties.get(k) not in (None, "")), None)
        positions = [geometry["coordinates"]] if geometry["type"] == "Point" else geometry["coordinates"]
        for lon, lat, *_ in positions:
            points.append({"name": name or tk._("Object {n}").format(n=number), "lon": lon, "lat": lat})
    points.sort(key=lambda point: point["name"].casefold())
    with _lock:
        _features[resource["id"]] = (version, points)
    return points
