"""Source configurations (``schemas/sources/*.yaml``), validated against ``schemas/source.schema.json``.

A broken configuration raises ``SourceConfigError`` naming the file and the field, so the
Airflow import error of that source says exactly what to fix.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

REPOSITORY = Path(__file__).resolve().parents[2]
SOURCES = REPOSITORY / "schemas" / "sources"
SCHEMA = REPOSITORY / "schemas" / "source.schema.json"
ENDPOINT_OVERRIDE = "CHEMNITZ_SOURCES_ENDPOINT"
# Columns the transform adds to the table (coordinates in WGS 84) and the geometry column.
RESERVED_NAMES = ("lon", "lat", "centroid_lon", "centroid_lat", "geometry")


class SourceConfigError(ValueError):
    """A source configuration that cannot be used; the message names file and field."""


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
    def url(self) -> str:
        """The endpoint to harvest: the replica or the city's service (env override wins)."""
        use = os.environ.get(ENDPOINT_OVERRIDE) or self.source.get("use", "replica")
        if use not in self.source["endpoints"]:
            raise SourceConfigError(f"{self.path}: field 'source.endpoints.{use}': no {use} endpoint is configured")
        return str(self.source["endpoints"][use])


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def load(path: Path) -> SourceConfig:
    """Read and validate one source configuration."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise SourceConfigError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(document, dict):
        raise SourceConfigError(f"{path}: expected a mapping of settings at the top level")
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        details = "; ".join(f"field '{_field(e)}': {e.message}" for e in errors)
        raise SourceConfigError(f"{path}: {details}")
    if document["id"] != path.stem:
        raise SourceConfigError(f"{path}: field 'id': must equal the file name ({path.stem!r})")
    fields = tuple(
        Field(source=name, name=spec.get("name", name.lower()), type=spec["type"],
              title=spec.get("title"), description=spec.get("description"))
        for name, spec in (document.get("fields") or {}).items()
    )  # fmt: skip
    withheld = tuple(Withheld(name, spec["reason"]) for name, spec in (document.get("withheld") or {}).items())
    both = sorted({f.source for f in fields} & {w.source for w in withheld})
    if both:
        raise SourceConfigError(f"{path}: field 'withheld.{both[0]}': is also in fields (publish or withhold it)")
    names = [f.name for f in fields] + list(RESERVED_NAMES)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise SourceConfigError(f"{path}: field 'fields': output name {repeated[0]!r} is used twice or reserved")
    contained = document.get("contained_values")
    text_fields = {f.source for f in fields if f.type == "string"}
    unknown = [name for name in contained or () if name not in text_fields]
    if unknown:
        raise SourceConfigError(
            f"{path}: field 'contained_values': {unknown[0]!r} is not a published text field (type string in fields)"
        )
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
        withheld=withheld,
        contained_values=None if contained is None else tuple(contained),
    )


def _field(error: jsonschema.ValidationError) -> str:
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path = f"{path}.{missing}" if path else missing
    elif error.validator == "additionalProperties" and "'" in error.message:
        extra = error.message.split("'")[1]
        path = f"{path}.{extra}" if path else extra
    return path or "(top level)"


def all_paths() -> list[Path]:
    return sorted(SOURCES.glob("*.yaml"))
