"""Creates or updates a dataset, its distributions and its DataStore table, changing only what changed.

* Metadata: only the keys the source configuration manages are compared and patched.
* Files: a distribution is uploaded only when its SHA-256 differs from the ``hash`` of the
  published resource, so an unchanged source uploads nothing.
* DataStore: rows are upserted by the source's key and rows whose key vanished are deleted
  afterwards, so readers never see an empty or half-filled table; a table that is missing (e.g.
  after a crash between upload and load) is loaded on the next run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ckanapi

from pipelines.transform.files import Output

DATASTORE_TYPES = {
    "string": "text",
    "integer": "int8",
    "number": "float8",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
}
LOG_KEY = "harvest-log"
LOG_DESCRIPTION = "Protokoll der automatischen Übernahmen aus dem Fachverfahren (eine Zeile je Lauf)."


@dataclass
class PublishSummary:
    dataset: str
    dataset_action: str = "unchanged"  # created | updated | unchanged
    resources: dict[str, str] = field(default_factory=dict)  # key -> created | updated | unchanged
    rows_upserted: int = 0
    rows_deleted: int = 0

    @property
    def changed(self) -> bool:
        return self.dataset_action != "unchanged" or any(v != "unchanged" for v in self.resources.values())


def connect(url: str, token: str) -> ckanapi.RemoteCKAN:
    return ckanapi.RemoteCKAN(url, apikey=token, user_agent="Chemnitz-Open-Data-Pipelines/1.0")


def ensure_dataset(ckan: ckanapi.RemoteCKAN, desired: dict[str, Any], summary: PublishSummary) -> dict[str, Any]:
    """Create the dataset or patch the keys of ``desired`` that differ."""
    try:
        current = ckan.action.package_show(id=desired["name"])
    except ckanapi.NotFound:
        summary.dataset_action = "created"
        return ckan.action.package_create(**desired)
    changed = {key: value for key, value in desired.items() if not _same(key, current, value)}
    if not changed:
        return current
    summary.dataset_action = "updated"
    return ckan.action.package_patch(id=current["id"], **changed)


def _same(key: str, dataset: dict[str, Any], wanted: Any) -> bool:
    """Whether the dataset's ``key`` already has the wanted value (as CKAN returns it)."""
    current = dataset.get(key)
    if key == "owner_org":  # given as the organization's name, returned as its id
        return wanted in (current, (dataset.get("organization") or {}).get("name"))
    if key == "tags":
        return sorted(t["name"] for t in current or []) == sorted(t["name"] for t in wanted or [])
    if key == "extras":
        return {e["key"]: e["value"] for e in current or []} == {e["key"]: e["value"] for e in wanted or []}
    return _normal(current) == _normal(wanted)


def _normal(value: Any) -> Any:
    """Empty values (and empty sub-fields of repeating fields) compare equal to missing ones.

    Lists of plain values (themes, languages …) are sets: ckanext-scheming stores multiple-choice
    values in the order of the field's choices, not in the order they were sent.
    """
    if isinstance(value, dict):
        value = {k: _normal(v) for k, v in value.items() if _normal(v) is not None}
    elif isinstance(value, list):
        value = [_normal(v) for v in value]
        if all(isinstance(v, str) for v in value):
            value = sorted(value)
    return value if value not in ("", None, [], {}) else None


def ensure_resource(
    ckan: ckanapi.RemoteCKAN, dataset: dict[str, Any], output: Output, summary: PublishSummary
) -> dict[str, Any]:
    """Upload ``output`` unless the published resource already has its checksum."""
    existing = next((r for r in dataset.get("resources", []) if r.get("harvest_key") == output.key), None)
    if existing and existing.get("hash") == output.sha256:
        # the same file: only its name or description may have changed (no new upload then)
        texts = {"name": output.name, "description": output.description}
        stale = {key: text for key, text in texts.items() if existing.get(key) != text}
        if not stale:
            summary.resources[output.key] = "unchanged"
            return existing
        summary.resources[output.key] = "updated"
        return ckan.action.resource_patch(id=existing["id"], **stale)
    fields = {
        "name": output.name,
        "description": output.description,
        "format": output.format,
        "mimetype": output.mimetype,
        "hash": output.sha256,
        "size": output.size,
        "harvest_key": output.key,
    }
    with output.path.open("rb") as upload:
        if existing:
            summary.resources[output.key] = "updated"
            return ckan.action.resource_patch(id=existing["id"], upload=upload, **fields)
        summary.resources[output.key] = "created"
        return ckan.action.resource_create(package_id=dataset["id"], upload=upload, **fields)


def load_datastore(
    ckan: ckanapi.RemoteCKAN,
    resource: dict[str, Any],
    columns: Sequence[dict[str, Any]],
    key: str,
    records: list[dict[str, Any]],
    summary: PublishSummary,
) -> None:
    """Bring the resource's DataStore table to exactly ``records`` (typed columns, primary key).

    The portal's ``chemnitz_datastore_load`` replaces the rows in one transaction (COPY, then a
    merge on the key), so a crash leaves the previous version and a rerun repairs it.
    """
    if summary.resources.get("csv") == "unchanged" and row_count(ckan, resource["id"]) == len(records):
        return
    ckan.action.datastore_create(resource_id=resource["id"], fields=list(columns), primary_key=[key], force=True)
    loaded = ckan.action.chemnitz_datastore_load(resource_id=resource["id"], records=records)
    summary.rows_upserted = loaded["inserted"] + loaded["updated"]
    summary.rows_deleted = loaded["deleted"]


def datastore_columns(fields: Iterable[Any], extra_numbers: Iterable[str] = ()) -> list[dict[str, Any]]:
    """DataStore column definitions with German titles in the data dictionary."""
    columns = [
        {
            "id": f.name,
            "type": DATASTORE_TYPES[f.type],
            "info": {"label": f.title or f.name, "notes": f.description or ""},
        }
        for f in fields
    ]
    labels = {
        "lon": "Längengrad (WGS 84)",
        "lat": "Breitengrad (WGS 84)",
        "centroid_lon": "Längengrad des Schwerpunkts (WGS 84)",
        "centroid_lat": "Breitengrad des Schwerpunkts (WGS 84)",
    }
    columns += [{"id": name, "type": "float8", "info": {"label": labels.get(name, name)}} for name in extra_numbers]
    return columns


def row_count(ckan: ckanapi.RemoteCKAN, resource_id: str) -> int | None:
    """Rows of a DataStore table, None when the resource has no table."""
    try:
        return int(ckan.action.datastore_search(resource_id=resource_id, limit=0)["total"])
    except (ckanapi.NotFound, ckanapi.ValidationError):
        return None


LOG_FIELDS = [
    {"id": "run_at", "type": "timestamp", "info": {"label": "Zeitpunkt"}},
    {"id": "run_id", "type": "text", "info": {"label": "Lauf"}},
    {"id": "source_url", "type": "text", "info": {"label": "Quelle"}},
    {"id": "status", "type": "text", "info": {"label": "Ergebnis"}},
    {"id": "fetched", "type": "int4", "info": {"label": "abgerufen"}},
    {"id": "rejected", "type": "int4", "info": {"label": "abgelehnt"}},
    {"id": "changes", "type": "text", "info": {"label": "Änderungen"}},
    {"id": "fingerprint", "type": "text", "info": {"label": "Prüfsumme von Quelldaten und Konfiguration"}},
    {"id": "source_version", "type": "text", "info": {"label": "Datenstand laut Quelle (ETag, lastEditDate)"}},
]


def record_run(ckan: ckanapi.RemoteCKAN, dataset: dict[str, Any], run: dict[str, Any]) -> None:
    """Append the run summary to the dataset's harvest log (a DataStore-only resource).

    Adding a row changes neither the dataset's metadata nor its files, so an unchanged source
    still leaves the dataset untouched while the log shows the successful run.
    """
    resource_id = datastore_table(
        ckan, dataset, LOG_KEY, "Ernteprotokoll", LOG_FIELDS, ["run_id"],
        description=LOG_DESCRIPTION, resource_type=LOG_KEY,
    )  # fmt: skip
    row = dict(run, run_at=run.get("run_at") or dt.datetime.now(dt.timezone.utc).isoformat())
    try:
        ckan.action.datastore_upsert(resource_id=resource_id, records=[row], method="upsert", force=True)
    except ckanapi.ValidationError:  # a log written before a column was added: add it, then append
        ckan.action.datastore_create(resource_id=resource_id, fields=LOG_FIELDS, force=True)
        ckan.action.datastore_upsert(resource_id=resource_id, records=[row], method="upsert", force=True)


def datastore_table(
    ckan: ckanapi.RemoteCKAN,
    dataset: dict[str, Any],
    key: str,
    name: str,
    fields: list[dict[str, Any]],
    primary_key: list[str],
    **resource: str,
) -> str:
    """Id of the dataset's DataStore-only resource ``key`` (``harvest_key``), created with its table
    if missing; a resource whose table was dropped gets an empty table again."""
    existing = _keyed_resource(dataset, key)
    if existing:
        if not existing.get("datastore_active"):
            ckan.action.datastore_create(resource_id=existing["id"], fields=fields, primary_key=primary_key)
        return str(existing["id"])
    created = ckan.action.datastore_create(
        resource={"package_id": dataset["id"], "name": name, "harvest_key": key, "format": "CSV", **resource},
        fields=fields,
        primary_key=primary_key,
    )
    return str(created["resource_id"])


def last_run(ckan: ckanapi.RemoteCKAN, dataset_name: str) -> dict[str, Any] | None:
    """The newest row of the dataset's harvest log (the last successful run) with the number of
    rows its table holds now (``published_rows``); None before the first harvest."""
    try:
        dataset = ckan.action.package_show(id=dataset_name)
    except ckanapi.NotFound:
        return None
    log = _keyed_resource(dataset, LOG_KEY)
    if log is None:
        return None
    try:
        rows = ckan.action.datastore_search(resource_id=log["id"], sort="run_at desc", limit=1)["records"]
    except (ckanapi.NotFound, ckanapi.ValidationError):
        return None
    if not rows:
        return None
    table = _keyed_resource(dataset, "csv")
    return dict(rows[0], published_rows=row_count(ckan, table["id"]) if table else None)


def _keyed_resource(dataset: dict[str, Any], key: str) -> dict[str, Any] | None:
    return next((r for r in dataset.get("resources", []) if r.get("harvest_key") == key), None)
