"""The GeoJSON distributions of datasets, read as a third party would get them.

Harvested datasets carry two GeoJSON files: WGS 84 for the web (RFC 7946) and EPSG:25833 for GIS
users; maps and the district assignment need the first. An uploaded file is read from the file
store, which is what its public download URL serves.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.lib.uploader as uploader

from ckanext.chemnitz.security import outbound

TIMEOUT_SECONDS = 30
MAX_BYTES = 50 * 1024 * 1024


def web_geojson(resources: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The dataset's WGS 84 GeoJSON resource, or None."""
    return next(
        (r for r in resources if (r.get("format") or "").lower() == "geojson" and "25833" not in (r.get("url") or "")),
        None,
    )


def upload_path(resource_id: str) -> str:
    return uploader.get_resource_uploader({"id": resource_id}).get_path(resource_id)


def read(resource: dict[str, Any]) -> dict[str, Any]:
    """The parsed GeoJSON of ``resource``; OSError, ValueError or ``outbound.Refused`` when unreadable.

    A file elsewhere is fetched only from the allowed sources (``security/outbound.py``).
    """
    if resource.get("url_type") == "upload":
        with open(upload_path(resource["id"]), "rb") as handle:
            return json.load(handle)
    answer = outbound.fetch(resource["url"], timeout=TIMEOUT_SECONDS, max_bytes=MAX_BYTES)
    if answer.status != 200:
        raise ValueError(f"{answer.url} answered HTTP {answer.status}")
    return json.loads(answer.body)
