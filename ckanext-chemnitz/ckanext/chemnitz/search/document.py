"""Builds the search document of a dataset, with the fields CKAN sends to Solr.

The document has the same field names and values as CKAN's Solr documents (``res_format``,
``extras_*``, ``vocab_*``, ``capacity``, ``permission_labels`` …) so that every ``fq`` a CKAN client
sends finds what it would find in Solr, and ``before_dataset_index`` plugins see what they expect.
"""

from __future__ import annotations

import collections
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import ckan.lib.navl.dictization_functions as dictization
import ckan.lib.plugins as lib_plugins
import ckan.model as model
import ckan.plugins as p
from ckan.common import config
from ckan.logic import get_action
from dateutil.parser import ParserError
from dateutil.parser import parse as parse_date

from ckanext.chemnitz.search.fields import EXTENT_FIELD, Kind, kind_of

log = logging.getLogger(__name__)

# Fields of the document that never become extras-derived top-level fields.
_RESERVED = {
    "entity_type", "res_url", "text", "urls", "indexed_ts", "site_id",
    "tags", "groups", "res_name", "res_description", "res_format", "res_type",
}  # fmt: skip
_RESOURCE_FIELDS = (
    ("name", "res_name"),
    ("description", "res_description"),
    ("format", "res_format"),
    ("url", "res_url"),
    ("resource_type", "res_type"),
)
_KEY_CHARACTERS = re.compile(r"[^A-Za-z0-9_-]")
# Characters PostgreSQL text cannot hold or XML-based clients choke on.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Text that feeds the weighted full-text vector: A (title, plus these) ranks above B (notes)
# above C above D (``fields.RANK_CLASSES``; Solr's copyFields into its query fields mirror them).
_WEIGHT_A = ("name",)
_WEIGHT_C = ("tags", "groups", "organization")
_WEIGHT_D = ("res_name", "res_description", "author", "maintainer", "license", "license_title",
             "url", "res_url", "text")  # fmt: skip
_STORED_ELSEWHERE = ("data_dict", "validated_data_dict")


@dataclass
class IndexRow:
    """One row of ``chemnitz_search.package_index``."""

    index_id: str
    id: str
    site_id: str
    name: str | None
    state: str | None
    capacity: str
    metadata_created: str | None
    metadata_modified: str | None
    title_string: str | None
    permission_labels: list[str]
    # Exact-match values as two parallel lists: term_fields[i] has the value term_values[i].
    term_fields: list[str]
    term_values: list[str]
    doc: dict[str, Any]
    data_dict: str
    validated_data_dict: str
    text_a: str
    text_c: str
    text_d: str
    title: str
    notes: str
    # The spatial extent (WGS 84), or None for a dataset without spatial coverage.
    extent_west: float | None = None
    extent_south: float | None = None
    extent_east: float | None = None
    extent_north: float | None = None


def build_document(pkg_dict: dict[str, Any]) -> dict[str, Any] | None:
    """The Solr-style document of a dataset, or None when it must leave the index (deleted)."""
    document = dict(pkg_dict)
    validated = document.pop("with_custom_schema")
    document["data_dict"] = json.dumps(document)
    document["validated_data_dict"] = json.dumps(validated, cls=dictization.MissingNullEncoder)
    if document.get("title"):
        document["title_string"] = document["title"]

    if config.get("ckan.search.remove_deleted_packages") and document.get("state") in (None, "deleted"):
        return None

    _flatten_extras(document)
    _flatten_tags(document)
    document["groups"] = [group["name"] for group in document.pop("groups", [])]
    document["capacity"] = "private" if document.get("private") else "public"
    organization = document.get("organization")
    document["organization"] = organization["name"] if organization else None
    _flatten_resources(document)
    _flatten_relationships(document)
    document["entity_type"] = "package"
    document["dataset_type"] = document["type"]

    document = _normalise(document)
    document["metadata_created"] = _solr_date(document["metadata_created"])
    document["metadata_modified"] = _solr_date(document["metadata_modified"])
    document["site_id"] = config.get("ckan.site_id")
    if document.get("title"):
        document["title"] = document["title"].lstrip()
    document["index_id"] = hashlib.md5(f"{document['id']}{document['site_id']}".encode()).hexdigest()

    for plugin in p.PluginImplementations(p.IPackageController):
        document = plugin.before_dataset_index(document)
    if not document:
        raise ValueError("a before_dataset_index plugin returned an empty document")

    # Permission labels decide visibility; plugins must not be able to change them.
    dataset = model.Package.get(document["id"])
    labels = lib_plugins.get_permission_labels()
    document["permission_labels"] = labels.get_dataset_labels(dataset) if dataset else []
    return document


def _flatten_extras(document: dict[str, Any]) -> None:
    reserved = _RESERVED | set(document)
    for extra in document.pop("extras", None) or []:
        value = extra["value"]
        if isinstance(value, (list, tuple)):
            value = " ".join(str(item) for item in value)
        key = _KEY_CHARACTERS.sub("", extra["key"])
        document["extras_" + key] = value
        if key not in reserved:
            document[key] = value


def _flatten_tags(document: dict[str, Any]) -> None:
    free_tags = []
    vocabularies: dict[str, str] = {}
    for tag in document.pop("tags", None) or []:
        vocabulary_id = tag.get("vocabulary_id")
        if not vocabulary_id:
            free_tags.append(tag["name"])
            continue
        if vocabulary_id not in vocabularies:
            vocabulary = get_action("vocabulary_show")({}, {"id": vocabulary_id})
            vocabularies[vocabulary_id] = "vocab_" + vocabulary["name"]
        document.setdefault(vocabularies[vocabulary_id], []).append(tag["name"])
    document["tags"] = free_tags


def _flatten_resources(document: dict[str, Any]) -> None:
    resources = document.pop("resources", None) or []
    pairs = list(_RESOURCE_FIELDS) + [(extra, "res_extras_" + extra) for extra in model.Resource.get_extra_columns()]
    for resource in resources:
        for source, target in pairs:
            document.setdefault(target, []).append(resource.get(source, ""))


def _flatten_relationships(document: dict[str, Any]) -> None:
    related: dict[str, list[str]] = collections.defaultdict(list)
    for relationship in document.pop("relationships_as_object", None) or []:
        kind = model.PackageRelationship.forward_to_reverse_type(relationship["type"])
        subject = model.Package.get(relationship["subject_package_id"])
        if subject:
            related[kind].append(subject.name)
    for relationship in document.pop("relationships_as_subject", None) or []:
        target = model.Package.get(relationship["object_package_id"])
        if target:
            related[relationship["type"]].append(target.name)
    for kind, names in related.items():
        document.setdefault(kind, names)


def _normalise(document: dict[str, Any]) -> dict[str, Any]:
    """Dates of ``*_date`` fields to ISO 8601 in UTC notation; unreadable dates are dropped."""
    result = {}
    for key, value in document.items():
        if key.endswith("_date"):
            if not value:
                continue
            try:
                parsed = parse_date(value)
            except (ParserError, OverflowError, TypeError):
                log.warning("%r: %r value %r is not a valid date", document.get("id"), key, value)
                continue
            value = parsed.isoformat() + ("" if parsed.tzinfo else "Z")
        result[key] = value
    return result


def _solr_date(value: str) -> str:
    """A timestamp as Solr returns it: UTC, millisecond precision, trailing zeros trimmed."""
    parsed = parse_date(value)
    text = parsed.strftime("%Y-%m-%dT%H:%M:%S")
    milliseconds = f"{parsed.microsecond // 1000:03d}".rstrip("0")
    return f"{text}.{milliseconds}Z" if milliseconds else f"{text}Z"


def to_row(document: dict[str, Any]) -> IndexRow:
    """Split a document into the columns of the index table."""
    clean = {key: _clean(value) for key, value in document.items()}
    term_fields: list[str] = []
    term_values: list[str] = []
    for key, value in clean.items():
        if key in _STORED_ELSEWHERE or key == EXTENT_FIELD or kind_of(key) is Kind.TEXT:
            continue
        for item in dict.fromkeys(_as_strings(value)):
            term_fields.append(key)
            term_values.append(item)
    doc = {k: v for k, v in clean.items() if k not in _STORED_ELSEWHERE and k != "permission_labels"}
    extras_text = [v for k, v in clean.items() if k.startswith(("extras_", "res_extras_", "vocab_"))]
    west, south, east, north = _extent(clean.get(EXTENT_FIELD))
    return IndexRow(
        index_id=clean["index_id"],
        id=clean["id"],
        site_id=clean["site_id"],
        name=clean.get("name"),
        state=clean.get("state"),
        capacity=clean["capacity"],
        metadata_created=clean.get("metadata_created"),
        metadata_modified=clean.get("metadata_modified"),
        title_string=clean.get("title_string"),
        permission_labels=[str(label) for label in clean.get("permission_labels") or []],
        term_fields=term_fields,
        term_values=term_values,
        doc=doc,
        data_dict=clean["data_dict"],
        validated_data_dict=clean["validated_data_dict"],
        text_a=_joined(clean, _WEIGHT_A),
        text_c=_joined(clean, _WEIGHT_C + tuple(k for k in clean if k.startswith("vocab_"))),
        text_d=" ".join([_joined(clean, _WEIGHT_D), *(" ".join(_as_strings(v)) for v in extras_text)]),
        title=_joined(clean, ("title",)),
        notes=_joined(clean, ("notes",)),
        extent_west=west,
        extent_south=south,
        extent_east=east,
        extent_north=north,
    )


def _extent(value: Any) -> tuple[float | None, ...]:
    """``[west, south, east, north]`` as numbers, or four Nones when absent or malformed."""
    try:
        west, south, east, north = (float(number) for number in value)
    except (TypeError, ValueError):
        if value not in (None, "", []):
            log.warning("Ignoring a malformed %s: %r", EXTENT_FIELD, value)
        return (None, None, None, None)
    return (west, south, east, north)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL_CHARACTERS.sub("", value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    return value


def _as_strings(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in _as_strings(item)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, dict):
        return [json.dumps(value, sort_keys=True)]
    return [str(value)]


def _joined(document: dict[str, Any], keys: tuple[str, ...]) -> str:
    return " ".join(" ".join(_as_strings(document.get(key))) for key in keys)
