"""WFS 2.0 resources as GeoJSON for the map preview, fetched by the portal.

A browser cannot read most WFS services itself (no CORS, GML only, coordinates in EPSG:25833), so
the portal asks the service for at most ``ckanext.chemnitz.preview.wfs_max_features`` features in
WGS 84 and converts the GML 3.2 answer to GeoJSON (RFC 7946: longitude first). Coordinates are
requested as ``urn:ogc:def:crs:EPSG::4326``, whose axis order is latitude first; the srsName the
service answers with decides how they are read, so a server that answers in CRS84 or in the short
``EPSG:4326`` form (longitude first, by convention) is read correctly as well.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from ckanext.chemnitz.security import outbound

GML = "http://www.opengis.net/gml/3.2"
WFS = "http://www.opengis.net/wfs/2.0"
OWS = "http://www.opengis.net/ows/1.1"
REQUEST_CRS = "urn:ogc:def:crs:EPSG::4326"
# srsName spellings whose axis order is latitude, longitude (the EPSG definition).
LATITUDE_FIRST = (
    "urn:ogc:def:crs:EPSG::4326",
    "urn:x-ogc:def:crs:EPSG:4326",
    "http://www.opengis.net/def/crs/EPSG/0/4326",
)
# ... and longitude, latitude (OGC CRS84, and the traditional short form).
LONGITUDE_FIRST = ("urn:ogc:def:crs:OGC:1.3:CRS84", "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "EPSG:4326")
MAX_BYTES = 50 * 1024 * 1024
# Query parameters of the resource URL that describe a request, not the service.
REQUEST_KEYS = {"service", "version", "request", "typename", "typenames", "srsname", "count", "maxfeatures",
                "outputformat", "startindex", "acceptversions"}  # fmt: skip


CACHE_ENTRIES = 32
_answers: dict[tuple[str, int], tuple[float, dict[str, Any]]] = {}  # per worker: (url, count) → (time, GeoJSON)


class WfsError(Exception):
    """The service cannot be previewed; the message says why, for the log (visitors get one generic answer)."""


def cached_feature_collection(url: str, max_features: int, timeout: float, max_age: float) -> dict[str, Any]:
    """``feature_collection``, asked of the department's server once per ``max_age`` seconds and
    worker rather than once per visitor; failures are not kept, so the next visitor tries again."""
    key, now = (url, max_features), time.monotonic()
    kept = _answers.get(key)
    if kept and now - kept[0] < max_age:
        return kept[1]
    collection = feature_collection(url, max_features, timeout)
    if max_age > 0:
        if len(_answers) >= CACHE_ENTRIES:
            del _answers[min(_answers, key=lambda k: _answers[k][0])]
        _answers[key] = (now, collection)
    return collection


def _service_url(url: str) -> tuple[str, list[tuple[str, str]], str | None]:
    """The service address without request parameters, its other parameters, and the named feature type."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise WfsError(f"not an http(s) address: {url}")
    params = parse_qsl(parts.query, keep_blank_values=True)
    type_name = next((value for key, value in params if key.lower() in ("typenames", "typename")), None)
    kept = [(key, value) for key, value in params if key.lower() not in REQUEST_KEYS]
    return urlunsplit(parts._replace(query="")), kept, type_name or None


def _get(url: str, params: list[tuple[str, str]], timeout: float) -> etree._Element:
    """The service's XML answer; an OWS exception report (WFS 2.0 sends them with HTTP 400) raises its text."""
    try:
        answer = outbound.fetch(url + "?" + urlencode(params), timeout=timeout, max_bytes=MAX_BYTES)
    except outbound.Refused as error:
        raise WfsError(f"the service was not asked or did not answer: {error}") from None
    status, body = answer.status, answer.body
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        reason = f"HTTP {status}" if status >= 400 else f"not XML ({error})"
        raise WfsError(f"the service answered {reason}") from None
    if etree.QName(root).localname == "ExceptionReport":
        texts = _texts(root, "//*[local-name()='ExceptionText']/text()")
        raise WfsError("the service reports: " + (" ".join(t.strip() for t in texts) or "an exception"))
    if status >= 400:
        raise WfsError(f"the service answered HTTP {status}")
    return root


def _first_feature_type(url: str, params: list[tuple[str, str]], timeout: float) -> str:
    capabilities = _get(
        url, [*params, ("SERVICE", "WFS"), ("REQUEST", "GetCapabilities"), ("ACCEPTVERSIONS", "2.0.0")], timeout
    )
    names = _texts(capabilities, "//wfs:FeatureType/wfs:Name/text()")
    if not names:
        raise WfsError("the service offers no WFS 2.0 feature type")
    return names[0].strip()


def _texts(element: etree._Element, path: str) -> list[str]:
    """The text nodes an XPath selects (lxml types xpath() as any XPath result: number, string, list)."""
    found = element.xpath(path, namespaces={"wfs": WFS})
    return [str(text) for text in found] if isinstance(found, list) else []


def _positions(element: etree._Element, latitude_first: bool) -> list[list[float]]:
    """The coordinates of a gml:pos, gml:posList or a run of gml:pos, longitude first."""
    lists = element.findall(f"{{{GML}}}posList") or element.findall(f"{{{GML}}}pos")
    numbers = [float(n) for item in lists for n in (item.text or "").split()]
    dimension = int(lists[0].get("srsDimension") or element.get("srsDimension") or 2) if lists else 2
    points = [numbers[i : i + dimension][:2] for i in range(0, len(numbers), dimension)]
    if any(len(point) < 2 for point in points):
        raise WfsError("a coordinate list of the answer is incomplete")
    return [[y, x] if latitude_first else [x, y] for x, y in points]


def _rings(polygon: etree._Element, latitude_first: bool) -> list[list[list[float]]]:
    return [_positions(ring, latitude_first) for ring in polygon.iterfind(f"{{{GML}}}*/{{{GML}}}LinearRing")]


def _members(element: etree._Element, kind: str) -> Iterator[etree._Element]:
    return element.iterfind(f".//{{{GML}}}{kind}")


def geometry(element: etree._Element, latitude_first: bool) -> dict[str, Any]:
    """A GML 3.2 geometry as a GeoJSON geometry."""
    kind = etree.QName(element).localname
    if kind == "Point":
        return {"type": "Point", "coordinates": _positions(element, latitude_first)[0]}
    if kind in ("LineString", "LinearRing"):
        return {"type": "LineString", "coordinates": _positions(element, latitude_first)}
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": _rings(element, latitude_first)}
    if kind == "MultiPoint":
        return {
            "type": "MultiPoint",
            "coordinates": [_positions(p, latitude_first)[0] for p in _members(element, "Point")],
        }
    if kind in ("MultiCurve", "MultiLineString"):
        return {
            "type": "MultiLineString",
            "coordinates": [_positions(c, latitude_first) for c in _members(element, "LineString")],
        }
    if kind in ("MultiSurface", "MultiPolygon"):
        return {
            "type": "MultiPolygon",
            "coordinates": [_rings(s, latitude_first) for s in _members(element, "Polygon")],
        }
    raise WfsError(f"the geometry type gml:{kind} cannot be shown")


def _axis_order(srs_name: str) -> bool:
    """Whether coordinates in ``srs_name`` are latitude first; a CRS other than WGS 84 is refused."""
    if srs_name in LATITUDE_FIRST:
        return True
    if srs_name in LONGITUDE_FIRST:
        return False
    raise WfsError(f"the service answered in {srs_name or 'an unnamed CRS'}, not in WGS 84")


def _feature(member: etree._Element, default_srs: str) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    shape = None
    for child in member:
        if not isinstance(child.tag, str) or child.tag.startswith(f"{{{GML}}}"):
            continue  # comments, and gml:boundedBy, gml:name: about the feature, not its attributes
        inner = next((node for node in child if isinstance(node.tag, str) and node.tag.startswith(f"{{{GML}}}")), None)
        if inner is not None and shape is None:
            srs = inner.get("srsName") or default_srs
            shape = geometry(inner, _axis_order(srs))
        elif len(child) == 0:
            properties[etree.QName(child).localname] = child.text
    feature_id = member.get(f"{{{GML}}}id")
    return {
        "type": "Feature",
        **({"id": feature_id} if feature_id else {}),
        "geometry": shape,
        "properties": properties,
    }


def feature_collection(url: str, max_features: int, timeout: float) -> dict[str, Any]:
    """The first ``max_features`` features of the WFS resource at ``url``, as GeoJSON in WGS 84."""
    service, params, type_name = _service_url(url)
    type_name = type_name or _first_feature_type(service, params, timeout)
    answer = _get(
        service,
        [*params, ("SERVICE", "WFS"), ("VERSION", "2.0.0"), ("REQUEST", "GetFeature"), ("TYPENAMES", type_name),
         ("SRSNAME", REQUEST_CRS), ("COUNT", str(max_features))],
        timeout,
    )  # fmt: skip
    if etree.QName(answer).localname != "FeatureCollection":
        raise WfsError(f"the answer is a {etree.QName(answer).localname}, not a feature collection")
    envelope = answer.find(f".//{{{GML}}}Envelope")
    default_srs = envelope.get("srsName", "") if envelope is not None else ""
    features = [
        _feature(feature, default_srs)
        for member in answer.iterfind(f"{{{WFS}}}member")
        for feature in member
        if isinstance(feature.tag, str)
    ]
    return {
        "type": "FeatureCollection",
        "name": type_name,
        "numberMatched": int(matched) if (matched := answer.get("numberMatched", "")).isdigit() else None,
        "features": features,
    }
