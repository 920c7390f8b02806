"""ArcGIS GeoServices FeatureServer layers (the city's ArcGIS Hub).

What the real service does and this reader handles: errors come as HTTP 200 with an ``error``
object; a query returns at most ``maxRecordCount`` features and says ``exceededTransferLimit``;
dates are epoch milliseconds (typed later by the field mapping); geometries are Esri JSON in the
layer's spatial reference (Web Mercator, wkid 102100, for the city's hosted layers).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import requests
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from pipelines.errors import SourceError
from pipelines.web import get_json

# Esri's wkids for Web Mercator; the others are EPSG codes.
_WEB_MERCATOR = {102100, 102113, 900913, 3857}


def read_layer(
    http: requests.Session, url: str, page_size: int, timeout: float, crs: str | None = None
) -> gpd.GeoDataFrame:
    """All features of the layer at ``url`` (…/FeatureServer/0), paging until the count is reached.

    ``crs`` (``EPSG:<code>``) asks the server for coordinates in that system (``outSR``); without
    it they come in the layer's own spatial reference.
    """
    out_sr = {"outSR": crs.split(":", 1)[1]} if crs else {}
    layer = layer_info(http, url, timeout)
    object_id = layer.get("objectIdField") or "OBJECTID"
    page = min(page_size, int(layer.get("maxRecordCount") or page_size))
    query = url.rstrip("/") + "/query"
    expected = int(
        _checked(get_json(http, query, timeout, where="1=1", returnCountOnly="true", f="json"), query)["count"]
    )

    features: list[dict[str, Any]] = []
    spatial_reference: dict[str, Any] = {}
    while len(features) < expected:
        parameters = {"where": "1=1", "outFields": "*", "returnGeometry": "true", "orderByFields": object_id,
                      "resultOffset": len(features), "resultRecordCount": page, "f": "json", **out_sr}  # fmt: skip
        answer = _checked(get_json(http, query, timeout, **parameters), query)
        batch = answer.get("features") or []
        spatial_reference = answer.get("spatialReference") or spatial_reference
        if not batch:
            break
        features.extend(batch)
        if not answer.get("exceededTransferLimit") and len(batch) < page:
            break
    if len(features) != expected:
        raise SourceError(f"{url}: the layer reports {expected} features but paging returned {len(features)}")
    if len({f["attributes"].get(object_id) for f in features}) != len(features):
        raise SourceError(f"{url}: paging returned duplicate {object_id} values; the layer changed during the run")

    rows = [feature["attributes"] for feature in features]  # dates stay epoch ms until typed
    geometries = [_geometry(feature.get("geometry")) for feature in features]
    return gpd.GeoDataFrame(
        rows,
        geometry=geometries,  # type: ignore[arg-type]  # None for a feature without geometry; the stubs omit it
        crs=_crs(spatial_reference or layer.get("extent", {}).get("spatialReference", {})),
    )


def layer_info(http: requests.Session, url: str, timeout: float) -> dict[str, Any]:
    """The layer's description (fields, ``maxRecordCount``, ``editingInfo`` …); an error body raises."""
    return _checked(get_json(http, url, timeout, f="json"), url)


def _checked(answer: Any, url: str) -> dict[str, Any]:
    """ArcGIS reports errors with HTTP 200 and an ``error`` object."""
    if not isinstance(answer, dict):
        raise SourceError(f"{url}: unexpected answer {str(answer)[:120]!r}")
    if "error" in answer:
        error = answer["error"] or {}
        details = "; ".join(error.get("details") or [])
        suffix = f" – {details}" if details else ""
        raise SourceError(f"{url}: ArcGIS error {error.get('code')}: {error.get('message')}{suffix}")
    return answer


def _geometry(esri: dict[str, Any] | None) -> BaseGeometry | None:
    if not esri:
        return None
    if "x" in esri:
        return None if esri["x"] is None else Point(esri["x"], esri["y"])
    if "rings" in esri:
        # Esri rings: outer rings clockwise, holes counter-clockwise; a union rebuilds the polygons.
        rings = [Polygon(ring) for ring in esri["rings"] if len(ring) >= 4]
        outer = [r for r in rings if not r.exterior.is_ccw]
        holes = [r for r in rings if r.exterior.is_ccw]
        shape = unary_union(outer) if outer else unary_union(rings)
        return shape.difference(unary_union(holes)) if holes and outer else shape
    if "paths" in esri:
        lines = [LineString(path) for path in esri["paths"]]
        return lines[0] if len(lines) == 1 else MultiLineString(lines)
    raise SourceError(f"unsupported Esri geometry with keys {sorted(esri)}")


def _crs(spatial_reference: dict[str, Any]) -> str:
    wkid = spatial_reference.get("latestWkid") or spatial_reference.get("wkid")
    if wkid is None:
        raise SourceError("the layer does not say which spatial reference its coordinates are in")
    return "EPSG:3857" if int(wkid) in _WEB_MERCATOR else f"EPSG:{int(wkid)}"
