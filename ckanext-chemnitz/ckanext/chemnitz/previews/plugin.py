"""The preview plugins (one IResourceView per plugin, as CKAN requires).

Both render inside the resource page, not in an iframe: one document for screen readers, one
language attribute, one set of landmarks.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, jsonify

from ckanext.chemnitz.previews import table, wfs
from ckanext.chemnitz.spatial import basemaps

log = logging.getLogger(__name__)
MAP_FORMATS = frozenset({"geojson", "wfs"})
wfs_preview = Blueprint("chemnitz_wfs_preview", __name__)


@wfs_preview.route("/dataset/<id>/resource/<resource_id>/wfs.geojson")
def wfs_geojson(id: str, resource_id: str) -> Response | tuple[Response, int]:
    """The first features of a WFS resource as GeoJSON in WGS 84, for its map preview."""
    try:
        dataset = tk.get_action("package_show")({}, {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return jsonify(error="dataset not found"), 404
    resource = next((item for item in dataset["resources"] if item["id"] == resource_id), None)
    if resource is None or (resource.get("format") or "").lower() != "wfs":
        return jsonify(error="no WFS resource of this dataset"), 404
    try:
        collection = wfs.cached_feature_collection(
            resource["url"],
            tk.config.get("ckanext.chemnitz.preview.wfs_max_features"),
            tk.config.get("ckanext.chemnitz.preview.wfs_timeout"),
            tk.config.get("ckanext.chemnitz.preview.wfs_cache_seconds"),
        )
    except (wfs.WfsError, ValueError) as error:  # ValueError: numbers of the GML that are none
        # The same answer whatever went wrong: an editor's URL must not tell open ports from closed ones.
        log.warning("WFS preview of resource %s (%s) failed: %s", resource_id, resource["url"], error)
        return jsonify(error=tk._("The preview is not available: the data service gave no usable answer.")), 502
    answer = jsonify(collection)
    answer.mimetype = "application/geo+json"
    return answer


class TablePreviewPlugin(p.SingletonPlugin):
    """A DataStore table as a sortable, paged HTML table."""

    p.implements(p.IResourceView, inherit=True)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.ITemplateHelpers)

    def info(self) -> dict[str, Any]:
        return {
            "name": "chemnitz_table_view",
            "title": tk._("Table"),
            "default_title": tk._("Table"),
            "icon": "table",
            "requires_datastore": True,
            "iframed": False,
            "always_available": False,
        }

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        return bool(data_dict["resource"].get("datastore_active"))

    def setup_template_variables(self, context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
        return {"table": table.load(data_dict["resource"]["id"], dict(tk.request.args))}

    def view_template(self, context: Any, data_dict: dict[str, Any]) -> str:
        return "chemnitz/previews/table.html"

    def after_resource_update(self, context: Any, resource: dict[str, Any]) -> None:
        """A resource whose DataStore table was just created gets its table preview.

        CKAN creates DataStore-backed default views only when a loader (xloader, DataPusher) asks;
        the pipelines load through the Action API, so the view is added when the table appears.
        """
        if resource.get("datastore_active") and not context.get("chemnitz_views_checked"):
            tk.get_action("resource_create_default_resource_views")(
                {"ignore_auth": True, "user": context.get("user"), "chemnitz_views_checked": True},
                {"resource": resource, "create_datastore_views": True},
            )

    def get_helpers(self) -> dict[str, Any]:
        return {"chemnitz_column_label": table.column_label, "chemnitz_is_numeric": table.is_numeric}


class MapPreviewPlugin(p.SingletonPlugin):
    """A GeoJSON or WFS resource on a map, with the features also listed as text."""

    p.implements(p.IResourceView, inherit=True)
    p.implements(p.IBlueprint)

    def get_blueprint(self) -> Blueprint:
        return wfs_preview

    def info(self) -> dict[str, Any]:
        return {
            "name": "chemnitz_map_view",
            "title": tk._("Map"),
            "default_title": tk._("Map"),
            "icon": "map",
            "iframed": False,
            "always_available": False,
        }

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        resource = data_dict["resource"]
        return (resource.get("format") or "").lower() in MAP_FORMATS and bool(resource.get("url"))

    def setup_template_variables(self, context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
        resource = data_dict["resource"]
        is_wfs = (resource.get("format") or "").lower() == "wfs"
        return {
            "data_url": tk.h.url_for(
                "chemnitz_wfs_preview.wfs_geojson", id=resource["package_id"], resource_id=resource["id"]
            )
            if is_wfs
            else resource["url"],
            "tiles": basemaps.as_json(),
        }

    def view_template(self, context: Any, data_dict: dict[str, Any]) -> str:
        return "chemnitz/previews/map.html"
