"""``/parken``: the parking search page.

The page uses only what a third party could use as well: the occupancy dataset's DataStore table
through the ``datastore_search`` action (the table, rendered on the server so it works without
JavaScript), and in the browser the GeoJSON resource (map), ``datastore_search_sql`` on the history
table (today's chart) and the districts' GeoJSON resource ("free spaces near me").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.chemnitz.parking import status
from ckanext.chemnitz.spatial import basemaps, resources

parking = Blueprint("chemnitz_parking", __name__)

# The occupancy DAG marks its resources with these ``harvest_key`` values (pipelines/parking).
CURRENT, HISTORY, MAP = "occupancy-current", "occupancy-history", "occupancy-geojson"
MAX_CAR_PARKS = 1000


def _show(name: str) -> dict[str, Any] | None:
    """The dataset as the visitor may see it, None when it does not exist (yet) or is private."""
    if not name:
        return None
    try:
        return tk.get_action("package_show")({"user": tk.current_user.name}, {"id": name})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return None


def _keyed(dataset: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    resources = dataset.get("resources", []) if dataset else []
    return {r["harvest_key"]: r for r in resources if r.get("harvest_key")}


def _current_rows(resource: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not resource or not resource.get("datastore_active"):
        return []
    result = tk.get_action("datastore_search")(
        {"user": tk.current_user.name}, {"resource_id": resource["id"], "limit": MAX_CAR_PARKS}
    )
    return result["records"]


def _geojson_url(dataset: dict[str, Any] | None) -> str:
    """The dataset's WGS 84 GeoJSON download (the rule the place search uses, too)."""
    resource = resources.web_geojson(dataset.get("resources", [])) if dataset else None
    return resource["url"] if resource and resource.get("url") else ""


@parking.route("/parken")
def index() -> str:
    config = tk.config
    dataset = _show(config.get("ckanext.chemnitz.parking.dataset"))
    resources = _keyed(dataset)
    now = dt.datetime.now(dt.timezone.utc)
    stale_after = dt.timedelta(minutes=config.get("ckanext.chemnitz.parking.stale_after_minutes"))
    parks = status.car_parks(_current_rows(resources.get(CURRENT)), now, stale_after)
    related = [shown for name in config.get("ckanext.chemnitz.parking.related_datasets") if (shown := _show(name))]
    return tk.render(
        "chemnitz/parking/index.html",
        {
            "dataset": dataset,
            "car_parks": parks,
            "now": now,
            "newest": status.newest_observation(parks),
            "current": resources.get(CURRENT),
            "history": resources.get(HISTORY),
            "map": resources.get(MAP),
            "districts_url": _geojson_url(_show(config.get("ckanext.chemnitz.parking.districts_dataset"))),
            "related": related,
            "tiles": basemaps.as_json(),
            "stale_after": stale_after,
        },
    )
