"""Validators of the DCAT-AP.de dataset schema (``schemas/dataset.yaml``).

Each error names what is wrong with the value of its own field, so the form shows it beside the
field and the API returns it under the field's key; a dataset with any error is not saved.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
from ckanext.scheming.validation import scheming_validator

from ckanext.chemnitz.dcat import vocabularies

_ = tk._
Invalid = tk.Invalid
missing = tk.missing

# Free State of Saxony, WGS 84 (lon/lat), rounded outwards: a bounding box must lie inside it.
SAXONY = (11.87, 50.17, 15.04, 51.69)


def _values(value: Any) -> list[str]:
    if value in (None, "", missing):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return [str(v) for v in json.loads(text)]
            except ValueError:
                pass
        return [part.strip() for part in text.split(",") if part.strip()] if "," in text else [text]
    return [str(v) for v in value]


@scheming_validator
def chemnitz_vocabulary(field: dict[str, Any], schema: dict[str, Any]):
    """Accept only URIs of the field's ``vocabulary`` (one value, or a list for multi-valued fields)."""
    name = field["vocabulary"]
    multiple = field.get("multiple", False)

    def validator(value: Any) -> Any:
        values = _values(value)
        if not values:
            return [] if multiple else value
        for uri in values:
            if not vocabularies.is_concept(name, uri):
                raise Invalid(
                    _("{value} is not a concept of the vocabulary {vocabulary}").format(
                        value=uri, vocabulary=vocabularies.VOCABULARY[name].scheme
                    )
                )
        if not multiple and len(values) > 1:
            raise Invalid(_("Only one value is allowed"))
        return values if multiple else values[0]

    return validator


def chemnitz_contributor_id(value: Any) -> Any:
    """dcatde:contributorID: an IRI of the contributors list. Empty: the RDF profile writes the
    portal's setting ``ckanext.chemnitz.dcat.contributor_id`` (checked at start-up) instead."""
    if value in (None, "", missing):
        return ""
    check_contributor_id(str(value))
    return str(value)


def check_contributor_id(value: str) -> None:
    if not vocabularies.is_concept("contributor", value):
        raise Invalid(
            _("{value} is not in the DCAT-AP.de contributors list (http://dcat-ap.de/def/contributors)").format(
                value=value
            )
        )


def _geometry(value: Any) -> dict[str, Any]:
    try:
        geometry = json.loads(value) if isinstance(value, str) else value
    except ValueError as error:
        raise Invalid(_("Not valid GeoJSON: {error}").format(error=error)) from None
    if not isinstance(geometry, dict) or geometry.get("type") not in _GEOMETRY_TYPES:
        raise Invalid(_("Not valid GeoJSON: expected a geometry object with a type such as Polygon"))
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        raise Invalid(_("Not valid GeoJSON: the geometry has no coordinates"))
    return geometry


_GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


def _positions(coordinates: Any) -> list[tuple[float, float]]:
    if coordinates and isinstance(coordinates[0], (int, float)):
        if len(coordinates) < 2:
            raise Invalid(_("Not valid GeoJSON: a position needs longitude and latitude"))
        return [(float(coordinates[0]), float(coordinates[1]))]
    return [position for item in coordinates for position in _positions(item)]


def _inside_saxony(positions: list[tuple[float, float]]) -> None:
    west, south, east, north = SAXONY
    for lon, lat in positions:
        if not (west <= lon <= east and south <= lat <= north):
            raise Invalid(
                _("The coordinates ({lon}, {lat}) lie outside Saxony (WGS 84 longitude/latitude expected)").format(
                    lon=lon, lat=lat
                )
            )


def chemnitz_geojson(value: Any) -> Any:
    """A GeoJSON geometry in WGS 84 within Saxony, stored as compact JSON text."""
    if value in (None, "", missing):
        return value
    geometry = _geometry(value)
    try:
        positions = _positions(geometry["coordinates"])
    except (TypeError, ValueError):
        raise Invalid(_("Not valid GeoJSON: coordinates must be numbers")) from None
    _inside_saxony(positions)
    return json.dumps(geometry, separators=(",", ":"))


_NUMBER = r"\s*(-?\d+(?:\.\d+)?)\s*"
_BBOX = re.compile(f"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$")


def chemnitz_bbox(value: Any) -> Any:
    """A bounding box as ``west,south,east,north`` or a GeoJSON polygon, inside Saxony.

    Stored as a GeoJSON polygon, which ckanext-dcat serialises as ``dcat:bbox``.
    """
    if value in (None, "", missing):
        return value
    match = _BBOX.match(value) if isinstance(value, str) else None
    if match:
        west, south, east, north = (float(n) for n in match.groups())
        if west >= east or south >= north:
            raise Invalid(
                _("The bounding box must be given as west,south,east,north with west < east and south < north")
            )
        ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
        value = {"type": "Polygon", "coordinates": [ring]}
    geometry = json.loads(chemnitz_geojson(value))
    if geometry["type"] != "Polygon":
        raise Invalid(_("The bounding box must be west,south,east,north or a GeoJSON Polygon"))
    return json.dumps(geometry, separators=(",", ":"))


def chemnitz_attribution(value: Any) -> Any:
    """The attribution text users must give; empty means the portal's default ("Stadt Chemnitz")."""
    if value in (None, "", missing):
        return tk.config.get("ckanext.chemnitz.dcat.attribution")
    return value


def chemnitz_license(value: Any) -> Any:
    """``license_id`` must be a licence of the portal's register (the dcat-ap.de licences)."""
    from ckan.model import Package

    if value not in Package.get_license_register():
        raise Invalid(_("{value} is not a licence of the DCAT-AP.de licence list").format(value=value))
    return value


def chemnitz_political_geocoding(value: Any) -> Any:
    """A political-geocoding URI of dcat-ap.de (e.g. the regional key of Chemnitz)."""
    if value in (None, "", missing):
        return value
    if not vocabularies.is_concept("political_geocoding", str(value)):
        raise Invalid(
            _("{value} is not a political-geocoding URI of dcat-ap.de (regional or district key)").format(value=value)
        )
    return value


def chemnitz_publisher_required(key: Any, data: dict, errors: dict, context: dict) -> None:
    """Refuse a dataset without a publisher name (dct:publisher is mandatory in DCAT-AP.de 3.0)."""
    names = [v for k, v in data.items() if len(k) == 3 and k[0] == "publisher" and k[2] == "name" and v]
    if not names and not errors.get(("publisher", 0, "name")):
        errors[("publisher",)] = [*errors.get(("publisher",), []), _("Missing value")]


# Series order fields the search index holds as dates; the others (ISO dates such as ``issued``,
# versions) are strings there, in Solr as in the PostgreSQL backend, and order correctly as text.
_DATE_INDEXED_ORDER_FIELDS = frozenset({"metadata_created", "metadata_modified"})


def chemnitz_series_order_type(key: Any, data: dict[Any, Any], errors: Any, context: Any) -> None:
    """Derive ``series_order_type`` from ``series_order_field`` instead of asking the editor.

    ckanext-dataset-series compares a member's value with the others by a range query; with "date"
    on a string field the query misses the next member, so the type must follow the index.
    """
    data[key] = "date" if data.get(("series_order_field",)) in _DATE_INDEXED_ORDER_FIELDS else "text"


def chemnitz_in_series(key: Any, data: dict[Any, Any], errors: dict[Any, list[str]], context: Any) -> None:
    """ckanext-dataset-series' check (the series exists, the editor may update it) on valid choices only.

    After ``scheming_multiple_choice`` refused an unknown id the value is still a list, which that
    check cannot read (a server error instead of the field's error message).
    """
    from ckanext.dataset_series.validators import series_validator

    value = data.get(key)
    if errors.get(key) or value in (None, "", "[]", missing):
        return
    try:
        data[key] = series_validator(value, context)
    except Invalid as error:
        errors[key].append(error.error)


WEB_SCHEMES = ("http", "https")
_HOST = re.compile(r"[\w.:-]+")  # letters of any script (IDN), digits, dots, hyphens; IPv6 colons
# Resource URLs that are no web address: the file name of an upload (shown as the portal's download
# link) and the placeholder of a DataStore-only table (shown as its /datastore/dump link).
_DATASTORE_ONLY = "_datastore_only_resource"
# Resource keys the DCAT profiles publish as IRIs; ``url`` has its own rule (uploads).
_RESOURCE_ADDRESSES = ("access_url", "download_url", "documentation", "conforms_to")


def check_web_address(value: str) -> str:
    """``value`` if it is an http(s) address with a host, else Invalid.

    ``javascript:`` in a link runs script on the portal's origin when clicked, ``file:`` and
    ``data:`` reach what the visitor's own machine holds; none of them is published data.
    """
    text = value.strip()
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in text):
        raise Invalid(_("A web address must not contain spaces or control characters: {value}").format(value=text))
    parts = urlsplit(text)
    if parts.scheme.lower() not in WEB_SCHEMES:
        raise Invalid(_("Only http and https addresses are allowed, not {value}").format(value=text))
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is no number
    except ValueError:
        raise Invalid(_("{value} is not a valid web address").format(value=text)) from None
    if not parts.hostname or not _HOST.fullmatch(parts.hostname):
        raise Invalid(_("{value} is not a valid web address").format(value=text))
    return text


def chemnitz_web_url(value: Any) -> Any:
    """A web address (http or https) or a list of them (``multiple_text`` fields)."""
    if value in (None, "", missing):
        return value
    if isinstance(value, str) and not value.strip().startswith("["):
        return check_web_address(value)
    for item in _values(value):
        check_web_address(item)
    return value


def chemnitz_email(value: Any) -> Any:
    """An e-mail address, also written as ``mailto:`` link; stored as the bare address."""
    from ckan.logic.validators import email_pattern

    if value in (None, "", missing):
        return value
    text = str(value).strip()
    address = text[len("mailto:") :] if text.lower().startswith("mailto:") else text
    if not email_pattern.match(address):
        raise Invalid(
            _("{value} is not an e-mail address (name@example.org or mailto:name@example.org)").format(value=text)
        )
    return address


def chemnitz_resource_addresses(key: Any, data: dict[Any, Any], errors: dict[Any, list[str]], context: Any) -> None:
    """Every resource's URL and DCAT address fields are http(s) addresses, in both schemas.

    A validator of the whole dataset, because resource keys the schema does not declare
    (``access_url``, ``download_url`` …) are kept as resource extras and published by the DCAT
    profiles, and dataset series declare no resource fields at all.
    """
    for field in [k for k in data if len(k) == 3 and k[0] == "resources"]:
        value = data[field]
        if value in (None, "", missing) or errors.get(field):
            continue
        if field[2] == "url":
            url_type = data.get((*field[:2], "url_type"))
            if url_type == "upload" or (url_type == "datastore" and value == _DATASTORE_ONLY):
                continue
        elif field[2] not in _RESOURCE_ADDRESSES:
            continue
        try:
            chemnitz_web_url(value)
        except Invalid as error:
            errors.setdefault(field, []).append(error.error)


def validators() -> dict[str, Any]:
    return {
        "chemnitz_in_series": chemnitz_in_series,
        "chemnitz_series_order_type": chemnitz_series_order_type,
        "chemnitz_attribution": chemnitz_attribution,
        "chemnitz_license": chemnitz_license,
        "chemnitz_political_geocoding": chemnitz_political_geocoding,
        "chemnitz_publisher_required": chemnitz_publisher_required,
        "chemnitz_vocabulary": chemnitz_vocabulary,
        "chemnitz_contributor_id": chemnitz_contributor_id,
        "chemnitz_geojson": chemnitz_geojson,
        "chemnitz_bbox": chemnitz_bbox,
        "chemnitz_web_url": chemnitz_web_url,
        "chemnitz_email": chemnitz_email,
        "chemnitz_resource_addresses": chemnitz_resource_addresses,
    }
