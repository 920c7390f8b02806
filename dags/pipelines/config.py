"""Source configurations (``schemas/sources/*.yaml``), validated against ``schemas/source.schema.json``
and the rules a schema cannot state: the portal's dataset fields, the schedule, the key among the
output columns, the settings each kind of source reads.

Every problem names the file and the field, one line each: ``problems`` lists them for the
checker (``make check-source``), ``load`` raises ``SourceConfigError`` with all of them, so the
Airflow import error of a broken source says exactly what to fix. Nothing here touches the network:
it runs whenever Airflow parses the DAG files.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import jsonschema
import yaml
from croniter import croniter

REPOSITORY = Path(__file__).resolve().parents[2]
SOURCES = REPOSITORY / "schemas" / "sources"
SCHEMA = REPOSITORY / "schemas" / "source.schema.json"
DATASET_SCHEMA = REPOSITORY / "schemas" / "dataset.yaml"
ORGANIZATIONS = REPOSITORY / "schemas" / "organizations.yaml"
ENDPOINT_OVERRIDE = "CHEMNITZ_SOURCES_ENDPOINT"
# Columns the transform adds to the table (coordinates in WGS 84) and the geometry column.
RESERVED_NAMES = ("lon", "lat", "centroid_lon", "centroid_lat", "geometry")
# The schedule presets Airflow 3 takes besides cron expressions (CRON_PRESETS of
# airflow.sdk.definitions.timetables._cron, @once and @continuous; test_check_source compares).
SCHEDULE_PRESETS = ("@once", "@continuous", "@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly")
# CKAN's own dataset keys that package_create takes although schemas/dataset.yaml does not redeclare them.
CKAN_DATASET_KEYS = ("tags", "groups", "private", "author", "author_email")
# Dataset keys the pipeline sets itself, and the setting of the configuration they come from.
PIPELINE_DATASET_KEYS = {
    "owner_org": "set by the pipeline from 'organization'",
    "withheld_fields": "set by the pipeline from 'withheld'",
    "contained_values": "set by the pipeline from the top-level 'contained_values'",
    "resources": "the pipeline publishes the distributions itself",
}
# Settings of `source` that only some kinds of source read (elsewhere they would be ignored silently).
SOURCE_SETTING_KINDS = {
    "layer": ("wfs",),
    "page_size": ("arcgis", "wfs"),
    "encoding": ("csv",),
    "delimiter": ("csv",),
    "decimal": ("csv", "xlsx"),
    "sheet": ("xlsx",),
}
OUTPUT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class SourceConfigError(ValueError):
    """A source configuration that cannot be used; each line names file and field."""


@dataclass(frozen=True)
class Field:
    source: str
    name: str
    type: str
    title: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Withheld:
    """A source attribute that is not published, and why (shown on the dataset page)."""

    source: str
    reason: str


@dataclass(frozen=True)
class SourceConfig:
    path: Path
    id: str
    organization: str
    schedule: str
    source: dict[str, Any]
    crs: str
    fields: tuple[Field, ...]
    dataset: dict[str, Any]
    geometry: dict[str, str] | None = None
    key: str | None = None
    datastore: bool = True
    withheld: tuple[Withheld, ...] = ()
    # Source attributes whose values the dataset page lists and search finds; None: the default
    # rule of pipelines.transform.values.
    contained_values: tuple[str, ...] | None = None

    @property
    def dag_id(self) -> str:
        return f"harvest_{self.id}"

    @property
    def type(self) -> str:
        return str(self.source["type"])

    @property
    def endpoint(self) -> str:
        """Which endpoint is harvested: ``replica`` or ``city`` (the environment's override wins)."""
        return os.environ.get(ENDPOINT_OVERRIDE) or self.source.get("use", "replica")

    @property
    def url(self) -> str:
        """The endpoint to harvest: the replica or the city's service (env override wins)."""
        if self.endpoint not in self.source["endpoints"]:
            raise SourceConfigError(
                f"{self.path}: field 'source.endpoints.{self.endpoint}': no {self.endpoint} endpoint is configured"
            )
        return str(self.source["endpoints"][self.endpoint])


def load(path: Path) -> SourceConfig:
    """Read and validate one source configuration; every problem found raises at once."""
    document, found = _read(path)
    if found:
        raise SourceConfigError("\n".join(found))
    fields = _fields(document)
    return SourceConfig(
        path=path,
        id=document["id"],
        organization=document["organization"],
        schedule=document["schedule"],
        source=document["source"],
        crs=document["crs"],
        fields=fields,
        dataset=document["dataset"],
        geometry=document.get("geometry"),
        key=document.get("key"),
        datastore=document.get("datastore", True),
        withheld=tuple(Withheld(name, spec["reason"]) for name, spec in (document.get("withheld") or {}).items()),
        contained_values=None if document.get("contained_values") is None else tuple(document["contained_values"]),
    )


def problems(path: Path) -> list[str]:
    """Every problem of the configuration at ``path`` that shows without asking the source, one
    line each: ``<file>: field '<path>': <what is wrong>``."""
    return _read(path)[1]


def _read(path: Path) -> tuple[dict[str, Any], list[str]]:
    try:
        document = _yaml(path)
    except yaml.YAMLError as error:
        return {}, [f"{path}: not valid YAML: {' '.join(str(error).split())}"]
    except OSError as error:
        return {}, [f"{path}: cannot be read: {error.strerror}"]
    if not isinstance(document, dict):
        return {}, [f"{path}: expected a mapping of settings at the top level"]
    found = list(_schema_problems(document))
    reported = {field for field, _ in found}
    found += [(field, text) for field, text in _rule_problems(document, path) if field not in reported]
    return document, [f"{path}: field '{field}': {text}" for field, text in found]


@cache
def _validator() -> jsonschema.protocols.Validator:
    # The schema itself is checked against its meta-schema by the tests, not at every parse (60 ms).
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def _schema_problems(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The JSON schema's complaints as (field path, message), unknown keys with a suggestion."""
    for error in sorted(_validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        where = ".".join(str(part) for part in error.absolute_path)
        # Set on every error a validator reports; jsonschema types them as possibly its Unset marker.
        instance: Any = error.instance
        expected: Any = error.validator_value
        if error.validator == "additionalProperties":
            known = list(cast("Mapping[str, Any]", error.schema).get("properties", {}))
            for extra in sorted(set(instance) - set(known), key=str):
                yield _join(where, extra), f"unknown setting{suggest(extra, known)}"
        elif error.validator == "required":
            for missing in expected:
                if missing not in instance:
                    yield _join(where, missing), "is required but missing"
        elif error.validator == "enum":
            allowed = [str(value) for value in expected]
            listed = "allowed: " + ", ".join(allowed)
            yield where, f"{instance!r} is not allowed{suggest(instance, allowed)} ({listed})"
        else:
            yield where or "(top level)", error.message


def _rule_problems(document: dict[str, Any], path: Path) -> Iterator[tuple[str, str]]:
    """What the schema cannot say; reads defensively, since the schema may have failed too."""
    if isinstance(document.get("id"), str) and document["id"] != path.stem:
        yield "id", f"must equal the file name ({path.stem!r})"
    organization = document.get("organization")
    if isinstance(organization, str) and organization not in organizations():
        suggestion = suggest(organization, organizations())
        yield "organization", f"{organization!r} is not a department in schemas/organizations.yaml{suggestion}"
    schedule = document.get("schedule")
    if isinstance(schedule, str) and schedule and not valid_schedule(schedule):
        presets = "presets: " + ", ".join(SCHEDULE_PRESETS)
        suggestion = suggest(schedule, SCHEDULE_PRESETS)
        yield "schedule", f"{schedule!r} is neither a cron expression nor an Airflow preset{suggestion} ({presets})"
    yield from _source_settings(document)
    yield from _dataset_keys(document.get("dataset"))
    yield from _field_names(document)


def valid_schedule(schedule: str) -> bool:
    """Whether Airflow takes ``schedule``: a preset, or a cron expression croniter reads (as Airflow does)."""
    return schedule in SCHEDULE_PRESETS or croniter.is_valid(schedule)


def _source_settings(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    source = document.get("source")
    if not isinstance(source, dict):
        return
    kind = source.get("type")
    if kind not in ("arcgis", "wfs", "csv", "xlsx"):
        return
    for setting, kinds in SOURCE_SETTING_KINDS.items():
        if setting in source and kind not in kinds:
            yield f"source.{setting}", f"only {' and '.join(kinds)} sources read it, this one is {kind}"
    if "geometry" in document and kind not in ("csv", "xlsx"):
        yield "geometry", f"X/Y columns are read from csv and xlsx sources only, this one is {kind}"


def _dataset_keys(dataset: object) -> Iterator[tuple[str, str]]:
    """Keys of ``dataset:`` that the portal would drop silently or the pipeline overwrites."""
    if not isinstance(dataset, dict):
        return
    allowed = [key for key in dataset_fields() if key not in PIPELINE_DATASET_KEYS] + list(CKAN_DATASET_KEYS)
    for key in map(str, dataset):
        if key in PIPELINE_DATASET_KEYS:
            yield f"dataset.{key}", f"{PIPELINE_DATASET_KEYS[key]}; remove it here"
        elif key not in allowed:
            suggestion = suggest(key, allowed)
            yield f"dataset.{key}", f"not a field of the portal's dataset schema (schemas/dataset.yaml){suggestion}"


def _field_names(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Output names, the key among them, withheld and contained_values against the fields."""
    specs = document.get("fields")
    if not isinstance(specs, dict) or not all(isinstance(spec, dict) for spec in specs.values()):
        return
    if not all(isinstance(name, str) for name in specs):
        # YAML reads unquoted NO, YES, ON, OFF as booleans and digits as numbers
        yield "fields", "every source name must be text: quote names such as NO, ON or 1"
        return
    fields = _fields(document)
    for field in fields:
        if "name" not in specs[field.source] and not OUTPUT_NAME.match(field.name):
            problem = f"the default output name {field.name!r} is not a valid column name ({OUTPUT_NAME.pattern})"
            yield f"fields.{field.source}.name", f"{problem}: set name"
    names = [f.name for f in fields]
    for name in sorted({n for n in names if names.count(n) > 1 or n in RESERVED_NAMES}):
        sources = ", ".join(f.source for f in fields if f.name == name)
        yield "fields", f"output name {name!r} is used twice or reserved (by {sources})"
    withheld = document.get("withheld")
    for name in sorted(set(specs) & set(withheld if isinstance(withheld, dict) else ())):
        yield f"withheld.{name}", "is also in fields (publish or withhold it)"
    contained = document.get("contained_values")
    text_fields = [f.source for f in fields if f.type == "string"]
    for name in contained if isinstance(contained, list) else ():
        if name not in text_fields:
            suggestion = suggest(name, text_fields)
            yield "contained_values", f"{name!r} is not a published text field (type string in fields){suggestion}"
    key = document.get("key")
    if isinstance(key, str) and key not in names:
        by_source = {f.source: f.name for f in fields}
        guess = f"; did you mean {by_source[key]!r} (the output name of fields.{key})?" if key in by_source else ""
        listed = ", ".join(names)
        yield "key", f"{key!r} is not an output column name{guess or suggest(key, names)} (output names: {listed})"


def _fields(document: dict[str, Any]) -> tuple[Field, ...]:
    return tuple(
        Field(source=name, name=str(spec.get("name", name.lower())), type=str(spec.get("type")),
              title=spec.get("title"), description=spec.get("description"))
        for name, spec in (document.get("fields") or {}).items()
    )  # fmt: skip


def _join(where: str, key: object) -> str:
    return f"{where}.{key}" if where else str(key)


def suggest(wrong: object, candidates: Iterable[str]) -> str:
    """'; did you mean …?' for the closest candidate (a difference in case first), or nothing."""
    options = list(candidates)
    same = [option for option in options if option.lower() == str(wrong).lower()]
    close = same or difflib.get_close_matches(str(wrong), options, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


@cache
def dataset_fields() -> tuple[str, ...]:
    """The dataset field names of the portal's schema (schemas/dataset.yaml)."""
    return tuple(field["field_name"] for field in _yaml(DATASET_SCHEMA)["dataset_fields"])


@cache
def organizations() -> frozenset[str]:
    """The departments' ids (schemas/organizations.yaml)."""
    return frozenset(item["name"] for item in _yaml(ORGANIZATIONS)["organizations"])


def _yaml(path: Path) -> Any:
    """The YAML file's content, read with libyaml's safe loader where present (a tenth of the time)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def all_paths() -> list[Path]:
    return sorted(SOURCES.glob("*.yaml"))
