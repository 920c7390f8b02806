"""``/iso19139``: the portal's ISO 19139 records, what the catalogue service (CSW, ``csw/``) is fed from.

* ``/iso19139`` — JSON list of every record (identifier, ``dateStamp``, URL): one per public
  dataset with a spatial extent, one per WFS/WMS resource of such a dataset;
* ``/iso19139/<dataset>.xml`` — the dataset's record; ``/iso19139/<dataset>/<resource id>.xml`` — a
  service's record. A dataset without an extent is no geodataset: 404.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, jsonify

from ckanext.chemnitz.dcat import contact
from ckanext.chemnitz.iso19139 import record
from ckanext.chemnitz.spatial import extent

iso19139 = Blueprint("chemnitz_iso19139", __name__)
XML = "application/xml; charset=utf-8"
PAGE_SIZE = 1000
# Every dataset with an extent: the spatial filter both search backends answer from their extent index.
WORLD = "-180,-90,180,90"


def catalogue() -> record.Catalogue:
    site_url = tk.config.get("ckan.site_url", "").rstrip("/")
    namespace = tk.config.get("ckanext.chemnitz.iso19139.namespace") or f"{site_url}/dataset/"
    csw_url = (tk.config.get("ckanext.chemnitz.csw.url") or "").rstrip("/")
    return record.Catalogue(
        site_url, namespace, csw_url, tk.asbool(tk.config.get("ckanext.chemnitz.iso19139.opendata"))
    )


def attribution(dataset: dict[str, Any]) -> str:
    return dataset.get("license_attribution_by_text") or tk.config.get("ckanext.chemnitz.dcat.attribution") or ""


@iso19139.route("/iso19139")
def index() -> Response:
    """The records a CSW should hold, with the ``dateStamp`` it can compare to skip unchanged ones."""
    where = catalogue()
    entries = []
    for dataset in _geodatasets():
        stamp = record.date_stamp(dataset)
        entries.append({"identifier": dataset["id"], "modified": stamp, "url": where.record_url(dataset["name"])})
        entries += [
            {"identifier": service["id"], "modified": stamp, "url": where.record_url(dataset["name"], service["id"])}
            for service in record.services(dataset)
        ]
    return jsonify({"records": entries})


@iso19139.route("/iso19139/<name>.xml")
def dataset_xml(name: str) -> Response:
    dataset, geometry = _geodataset(name)
    contacts = contact.contact_points(dataset)
    body = record.dataset_record(dataset, geometry, catalogue(), contacts, attribution(dataset))
    return Response(body, content_type=XML)


@iso19139.route("/iso19139/<name>/<resource_id>.xml")
def service_xml(name: str, resource_id: str) -> Response:
    dataset, geometry = _geodataset(name)
    service = next((item for item in record.services(dataset) if item["id"] == resource_id), None)
    if service is None:
        return tk.abort(404, "Dieser Datensatz hat keinen solchen Dienst (WFS oder WMS).")
    contacts = contact.contact_points(dataset)
    body = record.service_record(dataset, service, geometry, catalogue(), contacts, attribution(dataset))
    return Response(body, content_type=XML)


def _geodataset(name: str) -> tuple[dict[str, Any], Any]:
    try:
        dataset = tk.get_action("package_show")({}, {"id": name})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, "Diesen Datensatz gibt es nicht.")
    geometry = extent.coverage(dataset)
    if geometry is None or dataset.get("type", "dataset") != "dataset":
        return tk.abort(404, "Dieser Datensatz hat keine räumliche Ausdehnung und damit keinen ISO-19139-Eintrag.")
    return dataset, geometry


def _geodatasets() -> list[dict[str, Any]]:
    """Public, active datasets with an extent (as an anonymous visitor finds them)."""
    search = tk.get_action("package_search")
    found: list[dict[str, Any]] = []
    while True:
        page = search(
            {"ignore_auth": True},
            {
                "q": "*:*",
                "fq": "+dataset_type:dataset",
                "extras": {"ext_bbox": WORLD},
                "sort": "name asc",
                "rows": PAGE_SIZE,
                "start": len(found),
            },
        )
        found += page["results"]
        if not page["results"] or len(found) >= page["count"]:
            break
    return [dataset for dataset in found if extent.coverage(dataset) is not None]
