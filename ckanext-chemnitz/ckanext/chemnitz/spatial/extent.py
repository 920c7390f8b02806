"""The area a dataset covers, read from its metadata.

DCAT-AP.de's ``dct:spatial`` is ``spatial_coverage`` here: locations with a geometry (``geom``), a
bounding box (``bbox``) or a centroid, each GeoJSON in WGS 84 (``dcat/validators.py``). Datasets
described the ckanext-spatial way carry a GeoJSON ``spatial`` field instead; both count.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

log = logging.getLogger(__name__)

_LOCATION_KEYS = ("geom", "bbox", "centroid")  # the most precise first


def coverage(dataset: dict[str, Any]) -> BaseGeometry | None:
    """The union of the dataset's spatial coverage, or None when it has none."""
    parts = []
    for location in _locations(dataset):
        geometry = next((_geometry(location[key]) for key in _LOCATION_KEYS if location.get(key)), None)
        if geometry is not None:
            parts.append(geometry)
    spatial = _extra(dataset, "spatial")
    if spatial and (geometry := _geometry(spatial)) is not None:
        parts.append(geometry)
    if not parts:
        return None
    return unary_union(parts) if len(parts) > 1 else parts[0]


def bounds(geometry: BaseGeometry) -> list[float]:
    """``[west, south, east, north]``, the order of ``ext_bbox`` and the index's extent."""
    return [float(number) for number in geometry.bounds]


def _locations(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    value = dataset.get("spatial_coverage") or _extra(dataset, "spatial_coverage")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _extra(dataset: dict[str, Any], key: str) -> Any:
    for extra in dataset.get("extras") or []:
        if isinstance(extra, dict) and extra.get("key") == key:
            return extra.get("value")
    return dataset.get(key)


def _geometry(value: Any) -> BaseGeometry | None:
    try:
        geometry = shape(json.loads(value) if isinstance(value, str) else value)
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        log.warning("Ignoring a spatial coverage that is not GeoJSON: %s", error)
        return None
    if geometry.is_empty:
        return None
    return geometry if geometry.is_valid else geometry.buffer(0)
